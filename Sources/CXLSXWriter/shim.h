// libxlsxwriter (Debian libxlsxwriter-dev 1.1.4): header xlsxwriter.h, library xlsxwriter, which needs zlib.
#include <xlsxwriter.h>
