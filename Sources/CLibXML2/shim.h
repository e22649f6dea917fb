// libxml2's SAX2 push parser (Debian libxml2-dev; headers under /usr/include/libxml2, found
// through pkg-config's libxml-2.0).
#include <libxml/xmlversion.h>
// Debian builds libxml2 with ICU, whose headers clash with the copy of ICU that Foundation brings.
// Without it only the trailing fields of xmlCharEncodingHandler differ, which nothing here uses.
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
