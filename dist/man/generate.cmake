# dist/man/generate.cmake: writes eseal(1) from `eseal --man` (the CLI's option table), failing the build if the
# command fails or prints no page.
execute_process(COMMAND ${ESEAL} --man OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
file(SIZE ${OUT}.tmp size)
if(NOT rc EQUAL 0 OR size LESS 200)
  message(FATAL_ERROR "${ESEAL} --man failed (exit ${rc}, ${size} bytes)")
endif()
file(RENAME ${OUT}.tmp ${OUT})
