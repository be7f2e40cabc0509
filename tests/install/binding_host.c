/* tests/install/binding_host.c: loads a shared object the way a language binding or a plugin host does
 * (dlopen RTLD_LOCAL: nothing it brings in joins the global scope) and runs its entry point.
 *   binding_host OBJECT.so [ARGS...]     calls consumer_main(argc, argv) of OBJECT with OBJECT as argv[0] */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int (*run)(int, char **);
	void *h;

	if (argc < 2) {
		fprintf(stderr, "usage: binding_host OBJECT.so [ARGS...]\n");
		return 64;
	}
	if ((h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "binding_host: %s\n", dlerror());
		return 69;
	}
	*(void **)(&run) = dlsym(h, "consumer_main");
	if (run == NULL) {
		fprintf(stderr, "binding_host: %s\n", dlerror());
		return 69;
	}
	return run(argc - 1, argv + 1);
}
