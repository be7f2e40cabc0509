/* cms/x509_text.h: X.509 names as one line of text for messages and listings.
 * RFC 2253 order and escaping, UTF-8 kept so Japanese organization names stay readable. */
#ifndef ES_X509_TEXT_H
#define ES_X509_TEXT_H

#include <stddef.h>
#include <openssl/x509.h>

/* Writes the name into out (always NUL-terminated, truncated to size) and returns out. */
char *es_x509_name_line(const X509_NAME *name, char *out, size_t size);

#endif
