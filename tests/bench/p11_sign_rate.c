/* tests/bench/p11_sign_rate.c: the raw signing rate of a PKCS#11 token (bulk.sh's baseline): N threads, each with its
 * own session, call C_Sign (CKM_RSA_PKCS over a SHA-256 DigestInfo, as eseal does) in a loop for S seconds.
 * usage: p11_sign_rate MODULE TOKEN-LABEL KEY-LABEL PIN-FILE THREADS SECONDS */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <p11-kit/p11-kit.h>

#include <openssl/crypto.h>

typedef struct job {
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	CK_OBJECT_HANDLE key;
	double seconds;
	unsigned long count;
	CK_RV error;
} job;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *run(void *arg)
{
	/* DigestInfo(SHA-256) prefix + a fixed digest: the token's work does not depend on the digest's value. */
	unsigned char data[51] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				  0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	unsigned char sig[1024];
	CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
	CK_SESSION_HANDLE h;
	CK_ULONG len;
	job *j = arg;
	double end;
	CK_RV rv;

	memset(data + 19, 0x5a, 32);
	rv = j->f->C_OpenSession(j->slot, CKF_SERIAL_SESSION, NULL, NULL, &h);
	if (rv != CKR_OK) {
		j->error = rv;
		return NULL;
	}
	end = now() + j->seconds;
	while (now() < end) {
		len = sizeof(sig);
		rv = j->f->C_SignInit(h, &mech, j->key);
		if (rv == CKR_OK)
			rv = j->f->C_Sign(h, data, sizeof(data), sig, &len);
		if (rv != CKR_OK) {
			j->error = rv;
			break;
		}
		j->count++;
	}
	j->f->C_CloseSession(h);
	return NULL;
}

static int read_pin(const char *path, char *pin, size_t size)
{
	FILE *fp = fopen(path, "r");
	int ok = fp != NULL && fgets(pin, (int)size, fp) != NULL;

	if (fp != NULL)
		fclose(fp);
	if (ok)
		pin[strcspn(pin, "\r\n")] = '\0';
	return ok;
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST *f = NULL;
	CK_SLOT_ID slots[64], slot = 0;
	CK_ULONG n = 64, i, found = 0;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE login = CK_INVALID_HANDLE;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[2] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_LABEL, NULL, 0}};
	CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
	pthread_t *threads = NULL;
	job *jobs = NULL;
	char pin[256], *label = NULL;
	unsigned long total = 0;
	double seconds, t0, elapsed;
	int nthreads, t, rc = 1, have_slot = 0;
	CK_RV rv;

	if (argc != 7) {
		fprintf(stderr, "usage: %s MODULE TOKEN-LABEL KEY-LABEL PIN-FILE THREADS SECONDS\n", argv[0]);
		return 64;
	}
	nthreads = atoi(argv[5]);
	seconds = atof(argv[6]);
	if (nthreads < 1 || nthreads > 256 || seconds <= 0) {
		fprintf(stderr, "p11_sign_rate: THREADS must be 1..256 and SECONDS > 0\n");
		return 64;
	}
	if (!read_pin(argv[4], pin, sizeof(pin))) {
		fprintf(stderr, "p11_sign_rate: %s: cannot read the PIN\n", argv[4]);
		return 66;
	}
	/* p11-kit loads the module and initialises it with CKF_OS_LOCKING_OK: the threads share it safely. */
	f = p11_kit_module_load(argv[1], 0);
	if (f == NULL || (rv = p11_kit_module_initialize(f)) != CKR_OK) {
		fprintf(stderr, "p11_sign_rate: %s: cannot load/initialise the module\n", argv[1]);
		goto out;
	}
	if (f->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		if (f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		label = p11_kit_space_strdup(ti.label, sizeof(ti.label));
		if (label != NULL && strcmp(label, argv[2]) == 0 && !have_slot) {
			slot = slots[i];
			have_slot = 1;
		}
		free(label);
	}
	if (!have_slot) {
		fprintf(stderr, "p11_sign_rate: token %s not found\n", argv[2]);
		goto out;
	}
	/* One login for the application (kept by this session); every thread's session shares it. */
	if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &login) != CKR_OK ||
	    ((rv = f->C_Login(login, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin))) != CKR_OK &&
	     rv != CKR_USER_ALREADY_LOGGED_IN)) {
		fprintf(stderr, "p11_sign_rate: login to %s failed\n", argv[2]);
		goto out;
	}
	tmpl[1].pValue = argv[3];
	tmpl[1].ulValueLen = strlen(argv[3]);
	if (f->C_FindObjectsInit(login, tmpl, 2) != CKR_OK)
		goto out;
	f->C_FindObjects(login, &key, 1, &found);
	f->C_FindObjectsFinal(login);
	if (found != 1) {
		fprintf(stderr, "p11_sign_rate: private key %s not found\n", argv[3]);
		goto out;
	}
	threads = calloc((size_t)nthreads, sizeof(*threads));
	jobs = calloc((size_t)nthreads, sizeof(*jobs));
	if (threads == NULL || jobs == NULL)
		goto out;
	t0 = now();
	for (t = 0; t < nthreads; t++) {
		jobs[t] = (job){f, slot, key, seconds, 0, CKR_OK};
		if (pthread_create(&threads[t], NULL, run, &jobs[t]) != 0) {
			nthreads = t;
			break;
		}
	}
	rc = 0;
	for (t = 0; t < nthreads; t++) {
		pthread_join(threads[t], NULL);
		total += jobs[t].count;
		if (jobs[t].error != CKR_OK) {
			fprintf(stderr, "p11_sign_rate: thread %d: %s\n", t, p11_kit_strerror(jobs[t].error));
			rc = 1;
		}
	}
	elapsed = now() - t0;
	printf("threads=%d seconds=%.2f signatures=%lu rate=%.1f signatures/s\n", nthreads, elapsed, total,
	       (double)total / elapsed);
out:
	OPENSSL_cleanse(pin, sizeof(pin));
	if (f != NULL) {
		if (login != CK_INVALID_HANDLE)
			f->C_CloseSession(login);
		p11_kit_module_finalize(f);
		p11_kit_module_release(f);
	}
	free(threads);
	free(jobs);
	return rc;
}
