/* The floor under any libcsv-based import in `make bench`: libcsv alone reading a CSV file, each field
 * handed to a callback that only counts it. Built by scripts/bench_csv.py; prints rows and fields. */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

struct counts { size_t fields, bytes, rows; };

static void on_field(void *field, size_t length, void *data) {
    struct counts *c = data;
    (void)field;
    c->fields++;
    c->bytes += length;
}

static void on_row(int terminator, void *data) {
    (void)terminator;
    ((struct counts *)data)->rows++;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s FILE.csv\n", argv[0]); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    struct csv_parser parser;
    /* The options LedgerSync reads exports with (Sources/Spreadsheet/LibCSV.swift). */
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL | CSV_APPEND_NULL) != 0) return 2;
    struct counts c = {0, 0, 0};
    static char buffer[1 << 20];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, f)) > 0) {
        if (csv_parse(&parser, buffer, n, on_field, on_row, &c) != n) {
            fprintf(stderr, "%s: %s\n", argv[1], csv_strerror(csv_error(&parser)));
            return 1;
        }
    }
    csv_fini(&parser, on_field, on_row, &c);
    csv_free(&parser);
    fclose(f);
    printf("%zu rows, %zu fields, %zu bytes of fields\n", c.rows, c.fields, c.bytes);
    return 0;
}
