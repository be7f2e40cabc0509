/* plugins/cli/cmd_seal.c: `eseal seal` and `eseal extend`: options -> profile overrides -> one sealer -> one or many
 * files. Only argument handling lives here; sealing, extending, formats and output safety are the library's. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "batch.h"

const es_cli_option es_cli_seal_options[] = {
	{"config", 'c', "FILE", NULL, "profile file (default: $ESEAL_CONFIG, else /etc/eseal/eseal.conf)"},
	{"profile", 'p', "NAME", NULL, "seal profile to use: the [profile NAME] section"},
	{"output", 'o', "FILE", NULL, "output file (one input, or several or a folder with --placement detached or "
				       "--container)"},
	{"key", 0, "URI", "key", "key: pkcs11: URI (RFC 7512), csc:https://HOST/csc/v2?credential=ID (remote e-Seal), "
				 "or a PEM/PKCS#12 file for development"},
	{"pin-file", 0, "FILE", "pin-file", "file holding the PIN (else the URI's pin-source, else $ESEAL_PIN)"},
	{"csc-token-file", 0, "FILE", "csc-token-file", "csc: key: file holding the client's bearer token"},
	{"csc-ca", 0, "FILE", "csc-ca", "csc: key: PEM CA certificates for the service's TLS (default: system's)"},
	{"csc-client-id", 0, "ID", "csc-client-id", "csc: key: OAuth2 client_id (instead of --csc-token-file)"},
	{"csc-client-secret-file", 0, "FILE", "csc-client-secret-file", "csc: key: file holding the OAuth2 client_secret"},
	{"csc-batch", 0, "N", "csc-batch", "csc: key, batch: most hashes per signHash call (default 32; 1: no batching)"},
	{"cert", 0, "FILE", "cert", "PEM: signing certificate, then its chain (default: from the token)"},
	{"sig-scheme", 0, "SCHEME", "sig-scheme", "auto, pkcs1, pss or ecdsa"},
	{"digest", 0, "ALG", "digest", "sha256 (default), sha384 or sha512"},
	{"level", 'l', "LEVEL", "level", "B-B, B-T (an RFC 3161 signature time-stamp), B-LT (and validation data) or B-LTA "
					 "(and an archive time-stamp over it)"},
	{"trust", 0, "FILE", "trust", "B-LT, B-LTA: PEM trust anchors of the seal's chain"},
	{"tsa", 0, "URL", "tsa", "time-stamp authority URL; repeat for fallbacks tried in order"},
	{"tsa-ca", 0, "FILE", "tsa-ca", "PEM trust anchors the TSA certificate must chain to"},
	{"tsa-tls-ca", 0, "FILE", "tsa-tls-ca", "PEM CA certificates for an https:// TSA's server certificate"},
	{"tsa-auth-file", 0, "FILE", "tsa-auth-file", "file holding user:password for the TSA (HTTP basic)"},
	{"tsa-policy", 0, "OID", "tsa-policy", "TSA policy to request"},
	{"reason", 0, "TEXT", "reason", "PDF: /Reason"},
	{"location", 0, "TEXT", "location", "PDF: /Location"},
	{"contact", 0, "TEXT", "contact", "PDF: /ContactInfo"},
	{"visible", 0, NULL, "visible", "PDF: show the seal on the page"},
	{"page", 0, "N|last", "page", "PDF: page of the visible seal (default 1)"},
	{"rect", 0, "X,Y,W,H", "rect", "PDF: place of the visible seal in points (default bottom right)"},
	{"image", 0, "FILE", "image", "PDF: seal image (PNG or JPEG) for the visible seal"},
	{"certify", 0, "MODE", "certify", "PDF: no-changes, form-fill or annotations (DocMDP certification)"},
	{"field", 0, "NAME", "field", "PDF: seal into this empty signature field of the form (e.g. approval.seal)"},
	{"timezone", 0, "ZONE", "timezone", "PDF: time zone of the visible seal's time (e.g. Asia/Tokyo; default the system's)"},
	{"password-file", 0, "FILE", NULL, "PDF: file holding the password of an encrypted input"},
	{"placement", 0, "WHERE", "placement", "XML: enveloped (default), ubl, fatturapa or detached"},
	{"allow-signed", 0, NULL, NULL, "XML: seal enveloped even though the document already holds a signature"},
	{"format", 0, "FORMAT", NULL, "auto (default), pdf, xml or cades (detached .p7s); with --container: xml "
				      "(XAdES, the default) or cades (ASiCManifest + .p7s)"},
	{"container", 0, "KIND", NULL, "asice: one ASiC-E zip (-o FILE.asice) holding the inputs (a folder: every file "
				       "under it, by relative name) and their seal; asics: ASiC-S of one file"},
	{"force", 'f', NULL, NULL, "replace existing outputs"},
	{"jobs", 'j', "N", NULL, "batch: worker threads (default: the number of cores)"},
	{"out-dir", 0, "DIR", NULL, "batch: write each output under DIR, mirroring the input names"},
	{"from", 0, "FILE", NULL, "batch: read input paths from FILE (- = stdin), newline or NUL separated"},
	{"suffix", 0, "TEXT", NULL, "batch: insert TEXT before each output's extension (report.pdf -> report.TEXT.pdf)"},
	{"skip-existing", 0, NULL, NULL, "batch: leave a document whose output exists (to resume a stopped batch); "
					"reported as skipped"},
	{"tsa-inflight", 0, "N", NULL, "batch, B-T: documents in progress at once so time-stamp latency overlaps "
				       "(default: 4 x jobs)"},
	{"json", 0, NULL, NULL, "print one JSON line per document to stdout"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

const es_cli_option es_cli_extend_options[] = {
	{"config", 'c', "FILE", NULL, "profile file (default: $ESEAL_CONFIG, else /etc/eseal/eseal.conf)"},
	{"profile", 'p', "NAME", NULL, "profile whose TSA and trust settings to use: the [profile NAME] section"},
	{"output", 'o', "FILE", NULL, "output file (one input)"},
	{"level", 'l', "LEVEL", "level", "B-LT (validation data) or B-LTA (and an archive time-stamp over it)"},
	{"trust", 0, "FILE", "trust", "PEM trust anchors of the seals' chains"},
	{"digest", 0, "ALG", "digest", "digest of the archive time-stamp: sha256 (default), sha384 or sha512"},
	{"tsa", 0, "URL", "tsa", "time-stamp authority URL; repeat for fallbacks tried in order"},
	{"tsa-ca", 0, "FILE", "tsa-ca", "PEM trust anchors the TSA certificate must chain to"},
	{"tsa-tls-ca", 0, "FILE", "tsa-tls-ca", "PEM CA certificates for an https:// TSA's server certificate"},
	{"tsa-auth-file", 0, "FILE", "tsa-auth-file", "file holding user:password for the TSA (HTTP basic)"},
	{"tsa-policy", 0, "OID", "tsa-policy", "TSA policy to request"},
	{"data", 0, "FILE", NULL, "detached .p7s (one input, -o): the file it signs (default: the .p7s name without "
				 ".p7s)"},
	{"data-dir", 0, "DIR", NULL, "folder seal (one detached XAdES, -o): the folder it covers (as for eseal verify "
				    "--data-dir); containers (.asice, .asics) need nothing"},
	{"force", 'f', NULL, NULL, "replace existing outputs"},
	{"jobs", 'j', "N", NULL, "batch: worker threads (default: the number of cores)"},
	{"out-dir", 0, "DIR", NULL, "batch: write each output under DIR, mirroring the input names"},
	{"from", 0, "FILE", NULL, "batch: read input paths from FILE (- = stdin), newline or NUL separated"},
	{"suffix", 0, "TEXT", NULL, "batch: insert TEXT before each output's extension (report.pdf -> report.TEXT.pdf)"},
	{"skip-existing", 0, NULL, NULL, "batch: leave a document whose output exists (to resume a stopped batch); "
					"reported as skipped"},
	{"renew-before", 0, "DURATION", NULL, "extend only files whose newest time-stamp stops proving anything within "
					     "DURATION (e.g. 2y, 180d, 12h; y = 365 days); the others are reported "
					     "current, nothing written"},
	{"json", 0, NULL, NULL, "print one JSON line per document to stdout"},
	{"help", 'h', NULL, NULL, "show this help"},
	{NULL, 0, NULL, NULL, NULL},
};

struct override {
	const char *key;
	const char *value;
};

/* Loads the profile (if named) and applies the flags over it, in command-line order. */
static int build_profile(const char *config, const char *name, const struct override *ov, size_t n_ov,
			 eseal_profile **out, eseal_error *err)
{
	eseal_profile *p = NULL;
	int rc, tsa_cleared = 0;
	size_t i;

	rc = name != NULL ? eseal_profile_load(&p, config, name, err) : eseal_profile_new(&p, err);
	if (rc != ESEAL_OK)
		goto cleanup;
	for (i = 0; i < n_ov; i++) {
		/* --tsa on the command line replaces the profile's list rather than appending to it. */
		if (strcmp(ov[i].key, "tsa") == 0 && !tsa_cleared) {
			eseal_profile_set(p, "tsa", NULL, err);
			tsa_cleared = 1;
		}
		/* Messages from eseal_profile_set already start with the setting's name, which is the flag's. */
		if ((rc = eseal_profile_set(p, ov[i].key, ov[i].value, err)) != ESEAL_OK)
			goto cleanup;
	}
	*out = p;
	p = NULL;
cleanup:
	eseal_profile_free(p);
	return rc;
}

static void print_json_result(const char *in, const char *out, const eseal_seal_result *res, const eseal_profile *p,
			      const eseal_error *err, double ms)
{
	es_batch_print_json_line(stdout, in, res->current ? NULL : out,
				 err->status == ESEAL_OK ? res->format : ESEAL_FORMAT_AUTO, eseal_level_name(p->level),
				 err, res->current ? ESEAL_DOC_CURRENT : ESEAL_DOC_SEALED, res->renew_by, ms);
}

/* eseal_warn_fn: the library's warnings (e.g. a PIN file others can read) on stderr, one line each. */
static void print_warning(void *ctx, const char *message)
{
	(void)ctx;
	fprintf(stderr, "eseal: warning: %s\n", message);
}

static int is_directory(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Both commands: extend is seal without a key, on files that hold seals, at B-LT or B-LTA. */
static int seal_or_extend(int argc, char **argv, const char *env_pin, const es_cli_command *cmd, int extend)
{
	const es_cli_option *table = cmd->options;
	struct option *longopts = NULL;
	char shortopts[64];
	struct override *ov = NULL;
	size_t n_ov = 0;
	const char *config = NULL, *profile_name = NULL, *output = NULL;
	eseal_seal_options so = ESEAL_SEAL_OPTIONS_INIT;
	eseal_sealer_options sopts = ESEAL_SEALER_OPTIONS_INIT;
	es_batch_options bo;
	eseal_profile *profile = NULL;
	eseal_sealer *sealer = NULL;
	eseal_error err;
	eseal_seal_result res;
	eseal_extend_options lt;
	int c, rc = 0, json = 0, container = -1;
	double t0;

	eseal_error_clear(&err);
	memset(&bo, 0, sizeof(bo));
	memset(&res, 0, sizeof(res));
	if (es_cli_getopt_tables(table, &longopts, shortopts, sizeof(shortopts)) != 0 ||
	    (ov = calloc((size_t)argc, sizeof(*ov))) == NULL) {
		fprintf(stderr, "eseal: out of memory\n");
		rc = 70;
		goto cleanup;
	}
	if ((rc = es_cli_reject_abbreviations(table, argc, argv, cmd->name)) != 0)
		goto cleanup;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const es_cli_option *o = c == '?' ? NULL : es_cli_find_option(table, c);
		const char *name = o != NULL ? o->name : "";

		if (o == NULL) {
			rc = ES_EXIT_USAGE;
			goto cleanup;
		}
		if (o->profile_key != NULL) {
			ov[n_ov].key = o->profile_key;
			ov[n_ov].value = o->arg != NULL ? optarg : "yes";
			n_ov++;
		} else if (strcmp(name, "config") == 0) {
			config = optarg;
		} else if (strcmp(name, "profile") == 0) {
			profile_name = optarg;
		} else if (strcmp(name, "output") == 0) {
			output = optarg;
		} else if (strcmp(name, "data") == 0) {
			so.data_path = optarg;
		} else if (strcmp(name, "data-dir") == 0) {
			so.data_dir = optarg;
		} else if (strcmp(name, "password-file") == 0) {
			so.password_file = optarg;
		} else if (strcmp(name, "allow-signed") == 0) {
			so.force = 1;
		} else if (strcmp(name, "format") == 0) {
			if (eseal_format_parse(optarg, &so.format) != 0) {
				rc = es_cli_usage_error("seal", "--format: '%s' is not auto, pdf, xml or cades", optarg);
				goto cleanup;
			}
		} else if (strcmp(name, "container") == 0) {
			if (strcmp(optarg, "asice") != 0 && strcmp(optarg, "asics") != 0) {
				rc = es_cli_usage_error("seal", "--container: '%s' is not asice or asics", optarg);
				goto cleanup;
			}
			container = strcmp(optarg, "asics") == 0 ? ESEAL_ASIC_S : ESEAL_ASIC_E;
		} else if (strcmp(name, "force") == 0) {
			so.overwrite = 1;
		} else if (strcmp(name, "json") == 0) {
			json = 1;
		} else if (strcmp(name, "renew-before") == 0) {
			if (es_cli_parse_duration(optarg, &sopts.renew_before) != 0) {
				rc = es_cli_usage_error(cmd->name, "--renew-before: '%s' is not a duration such as 2y, "
							"180d or 12h (y = 365 days; m is ambiguous)", optarg);
				goto cleanup;
			}
			bo.renew_before = optarg;
		} else if (strcmp(name, "help") == 0) {
			es_cli_print_help(stdout, cmd);
			goto cleanup;
		} else if (es_batch_take_option(&bo, name, optarg) != 0) {
			rc = ES_EXIT_USAGE;
			goto cleanup;
		}
	}
	if (optind >= argc && bo.from == NULL) {
		rc = es_cli_usage_error(cmd->name, "no input file");
		goto cleanup;
	}
	if (bo.skip_existing && (bo.out_dir == NULL || so.overwrite)) {
		rc = es_cli_usage_error(cmd->name, bo.out_dir == NULL ? "--skip-existing needs --out-dir DIR"
								   : "give either --skip-existing or --force, not both");
		goto cleanup;
	}
	if (so.data_path != NULL && (output == NULL || bo.out_dir != NULL || bo.from != NULL || argc - optind != 1)) {
		rc = es_cli_usage_error(cmd->name, "--data FILE names the data of one .p7s: give one input and -o FILE");
		goto cleanup;
	}
	if (so.data_dir != NULL && (output == NULL || bo.out_dir != NULL || bo.from != NULL || argc - optind != 1)) {
		rc = es_cli_usage_error(cmd->name,
					"--data-dir DIR names the folder of one folder seal: give one input and -o FILE");
		goto cleanup;
	}
	if (output != NULL && bo.out_dir != NULL) {
		rc = es_cli_usage_error(cmd->name, "give either -o FILE or --out-dir DIR, not both");
		goto cleanup;
	}
	bo.json = json;
	if (build_profile(config, profile_name, ov, n_ov, &profile, &err) != ESEAL_OK) {
		rc = bo.out_dir != NULL ? es_batch_fail_all(&bo, (const char *const *)argv + optind,
							       (size_t)(argc - optind), &err)
					: es_cli_fail(&err);
		goto cleanup;
	}
	if (extend && profile->level < ESEAL_LEVEL_B_LT) {
		rc = es_cli_usage_error(cmd->name, "--level B-LT or --level B-LTA is required (the profile says %s)",
					eseal_level_name(profile->level));
		goto cleanup;
	}
	if (output == NULL && bo.out_dir == NULL) {
		rc = es_cli_usage_error(cmd->name, "no output: give -o FILE (one input) or --out-dir DIR (batch)");
		goto cleanup;
	}
	if (container >= 0 && (output == NULL || bo.out_dir != NULL || bo.from != NULL ||
				(so.format != ESEAL_FORMAT_AUTO && so.format != ESEAL_FORMAT_XML &&
				 so.format != ESEAL_FORMAT_CADES))) {
		rc = es_cli_usage_error(cmd->name, "--container makes one file: give -o FILE and the inputs (no "
						   "--out-dir or --from); --format xml or cades");
		goto cleanup;
	}
	if (output != NULL && argc - optind > 1 && container < 0 && (extend || profile->placement != ESEAL_PLACEMENT_DETACHED)) {
		rc = es_cli_usage_error(cmd->name, extend ? "several inputs need --out-dir DIR"
							  : "several inputs need --out-dir DIR (or --placement detached with -o)");
		goto cleanup;
	}
	sopts.env_pin = env_pin[0] != '\0' ? env_pin : NULL;
	sopts.warn = print_warning;
	sopts.extend = extend;
	if (eseal_init(&err) != ESEAL_OK || eseal_sealer_open_ext(&sealer, profile, &sopts, &err) != ESEAL_OK) {
		/* A batch that cannot start still accounts for every document (one JSON line each). */
		rc = bo.out_dir != NULL ? es_batch_fail_all(&bo, (const char *const *)argv + optind,
							       (size_t)(argc - optind), &err)
					: es_cli_fail(&err);
		goto cleanup;
	}
	if (bo.out_dir != NULL) {
		rc = es_batch_run(sealer, &so, &bo, (const char *const *)argv + optind, (size_t)(argc - optind));
		goto cleanup;
	}
	t0 = es_batch_now_ms();
	eseal_sealer_long_term(sealer, &so, &lt);
	if (container >= 0) {
		eseal_asic_options ao = ESEAL_ASIC_OPTIONS_INIT;

		ao.long_term = profile->level >= ESEAL_LEVEL_B_LT ? &lt : NULL;
		ao.kind = (eseal_asic_kind)container;
		ao.signature = so.format == ESEAL_FORMAT_CADES ? ESEAL_ASIC_CADES : ESEAL_ASIC_XADES;
		ao.signer = eseal_sealer_signer(sealer);
		ao.tsa = eseal_sealer_tsa(sealer);
		ao.md = EVP_get_digestbyname(profile->digest != NULL ? profile->digest : "sha256");
		ao.overwrite = so.overwrite;
		res.format = ao.signature == ESEAL_ASIC_CADES ? ESEAL_FORMAT_CADES : ESEAL_FORMAT_XML;
		eseal_asic_seal((const char *const *)argv + optind, (size_t)(argc - optind), output, &ao, &err);
	} else if (argc - optind > 1 || (is_directory(argv[optind]) && profile->placement == ESEAL_PLACEMENT_DETACHED)) {
		eseal_xml_options xo = ESEAL_XML_OPTIONS_INIT;

		xo.signer = eseal_sealer_signer(sealer);
		xo.tsa = eseal_sealer_tsa(sealer);
		xo.md = EVP_get_digestbyname(profile->digest != NULL ? profile->digest : "sha256");
		xo.placement = ESEAL_PLACEMENT_DETACHED;
		xo.overwrite = so.overwrite;
		res.format = ESEAL_FORMAT_XML;
		eseal_folder_seal((const char *const *)argv + optind, (size_t)(argc - optind), output, &xo,
				  profile->level >= ESEAL_LEVEL_B_LT ? &lt : NULL, &err);
	} else {
		eseal_sealer_seal_ext(sealer, argv[optind], output, &so, &res, &err);
	}
	if (json)
		print_json_result(argv[optind], output, &res, profile, &err, es_batch_now_ms() - t0);
	else if (err.status == ESEAL_OK && res.current)
		es_batch_print_current(stdout, argv[optind], res.renew_by, bo.renew_before);
	rc = err.status == ESEAL_OK ? 0 : es_cli_fail(&err);
cleanup:
	eseal_sealer_free(sealer);
	eseal_profile_free(profile);
	free(ov);
	free(longopts);
	return rc;
}

int es_cli_seal(int argc, char **argv, const char *env_pin)
{
	return seal_or_extend(argc, argv, env_pin, &es_cli_commands[0], 0);
}

int es_cli_extend(int argc, char **argv, const char *env_pin)
{
	return seal_or_extend(argc, argv, env_pin, &es_cli_commands[1], 1);
}
