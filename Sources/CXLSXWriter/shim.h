// libxlsxwriter (Debian libxlsxwriter-dev 1.1.4): header xlsxwriter.h, library xlsxwriter, which needs zlib.
#include <xlsxwriter.h>
// zlib (Debian zlib1g-dev), which the module links anyway: its crc32() checks the parts read from a workbook.
#include <zlib.h>
