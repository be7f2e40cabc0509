# cmake/library.cmake: libeseal as others use it: libeseal.so with a SOVERSION exporting only eseal_*, the public
# headers, eseal.pc and a CMake package (find_package(eseal) -> eseal::eseal).
include(CMakePackageConfigHelpers)

add_library(eseal_shared SHARED $<TARGET_OBJECTS:eseal>)
set_target_properties(eseal_shared PROPERTIES OUTPUT_NAME eseal EXPORT_NAME eseal
                      VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
                      LINK_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/cmake/libeseal.map;${ESEAL_XML_IMPORTS_MAP}")
target_include_directories(eseal_shared INTERFACE $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                                                  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# The same dependencies as the static library, whatever a folder added to it; --no-undefined catches one missed.
target_link_libraries(eseal_shared PRIVATE $<TARGET_PROPERTY:eseal,INTERFACE_LINK_LIBRARIES>)
# Beside the public API, the functions the XML module calls back (xml/CMakeLists.txt) under the private version
# ESEAL_PRIVATE_0: the module is made for one build of the library (it checks ESEAL_VERSION), so they promise nothing.
target_link_options(eseal_shared PRIVATE -Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/cmake/libeseal.map
                    -Wl,--version-script=${ESEAL_XML_IMPORTS_MAP} -Wl,--no-undefined)

install(TARGETS eseal_shared EXPORT esealTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/eseal DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(RELATIVE_PATH ESEAL_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig ${CMAKE_INSTALL_PREFIX})
configure_file(cmake/eseal.pc.in ${CMAKE_CURRENT_BINARY_DIR}/eseal.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/eseal.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
install(EXPORT esealTargets NAMESPACE eseal:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/eseal)
configure_package_config_file(cmake/esealConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/esealConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/eseal)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/esealConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/esealConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/esealConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/eseal)
