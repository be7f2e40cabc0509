/* pki/x509_text.h: X.509 names as text for messages, listings, reports and the visible seal.
 * RFC 2253 order and escaping, UTF-8 kept so Japanese organization names stay readable. */
#ifndef ES_X509_TEXT_H
#define ES_X509_TEXT_H

#include <stddef.h>
#include <openssl/x509.h>

/* Writes the name into out (always NUL-terminated, truncated to size) and returns out. */
char *es_x509_name_line(const X509_NAME *name, char *out, size_t size);
/* The same line, whole, on the heap (free()); NULL if unreadable or out of memory. */
char *es_x509_name_dup(const X509_NAME *name);
/* The first subject attribute nid (e.g. NID_organizationName, NID_organizationIdentifier) as UTF-8 on the heap
 * (free()); NULL if absent. */
char *es_x509_subject_attr(X509 *cert, int nid);

#endif
