// libcsv (Debian libcsv-dev) ships no pkg-config file: header csv.h, library csv.
#include <csv.h>
