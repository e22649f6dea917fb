#ifndef CSIMDJSON_H
#define CSIMDJSON_H

// C API over simdjson (On-Demand) for LedgerSync's Stripe JSON door.
//
// One call decodes a range of an input buffer — one JSON document, or JSON Lines (one document
// per line) — and keeps only the fields reconciliation needs, as flat structs. Strings are copied
// (unescaped) into an arena owned by the result; `lsj_str.pos` is an offset into that arena.
// Amounts stay in the API's minor units; the Swift side converts them to ledger units.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A string in the result's arena; `pos < 0` means absent (missing or JSON null).
typedef struct {
    int64_t pos;
    int64_t len;
} lsj_str;

/// Record kinds; the numbering is shared with the Swift side.
typedef enum {
    LSJ_KIND_NONE = 0,
    LSJ_KIND_CHARGE = 1,
    LSJ_KIND_PAYMENT_INTENT = 2,
    LSJ_KIND_CHECKOUT_SESSION = 3,
    LSJ_KIND_INVOICE = 4,
    LSJ_KIND_INVOICE_PAYMENT = 5,
    LSJ_KIND_CREDIT_NOTE = 6,
    LSJ_KIND_REFUND = 7,
    LSJ_KIND_DISPUTE = 8,
    LSJ_KIND_PAYOUT = 9,
    LSJ_KIND_BALANCE_TRANSACTION = 10,
    LSJ_KIND_CUSTOMER = 11,
} lsj_kind;

/// Bits of `lsj_record.present`: which integer fields hold a value.
enum {
    LSJ_HAS_AMOUNT = 1 << 0,
    LSJ_HAS_AMOUNT_CAPTURED = 1 << 1,
    LSJ_HAS_AMOUNT_REFUNDED = 1 << 2,
    LSJ_HAS_AMOUNT_PAID = 1 << 3,
    LSJ_HAS_AMOUNT_DUE = 1 << 4,
    LSJ_HAS_TOTAL = 1 << 5,
    LSJ_HAS_FEE = 1 << 6,
    LSJ_HAS_NET = 1 << 7,
    LSJ_HAS_CREATED = 1 << 8,
    LSJ_HAS_DUE_BY = 1 << 9,
};

/// One record, fields already chosen per kind (e.g. a payment intent's amount is
/// `amount_received` when positive). Booleans: -1 absent, 0 false, 1 true.
typedef struct {
    int32_t kind;
    uint32_t present;
    int8_t livemode;
    int8_t captured;
    int8_t paid_out_of_band;
    int8_t reserved;
    int64_t amount, amount_captured, amount_refunded, amount_paid, amount_due, total, fee, net;
    int64_t created, due_by;
    lsj_str id, status, currency, fee_currency;
    lsj_str customer, charge, payment_intent, invoice, balance_transaction, source;
    lsj_str email, reference, number, type, reason;
    /// Balance transaction: the payout that carried it (`payout`: LedgerSync's own field, set on the
    /// balance transactions a pull lists by payout; Stripe's objects do not have it).
    lsj_str payout;
} lsj_record;

/// What went wrong with one item (or a whole line/document).
typedef enum {
    LSJ_PROBLEM_NONE = 0,
    /// Not valid JSON; `detail` is an lsj_syntax value.
    LSJ_PROBLEM_SYNTAX = 1,
    /// A field has the wrong JSON type; `field` names it, `detail` is the expected lsj_expected.
    LSJ_PROBLEM_WRONG_TYPE = 2,
    /// A top-level value or array element is not a JSON object.
    LSJ_PROBLEM_NOT_AN_OBJECT = 3,
    /// A field the kind needs is missing (`field`: "id", "data.object").
    LSJ_PROBLEM_MISSING_FIELD = 4,
} lsj_problem;

typedef enum {
    LSJ_SYNTAX_MALFORMED = 0,
    LSJ_SYNTAX_TRUNCATED = 1,
    LSJ_SYNTAX_NOT_UTF8 = 2,
    LSJ_SYNTAX_TOO_DEEP = 3,
    LSJ_SYNTAX_TRAILING = 4,
    LSJ_SYNTAX_TOO_LARGE = 5,
} lsj_syntax;

typedef enum {
    LSJ_EXPECT_INTEGER = 0,
    LSJ_EXPECT_STRING = 1,
    LSJ_EXPECT_BOOLEAN = 2,
    LSJ_EXPECT_OBJECT = 3,
    LSJ_EXPECT_ARRAY = 4,
    LSJ_EXPECT_ID = 5,
} lsj_expected;

/// One event or bare object (or a failed line/document). Records of item i are
/// `records[first_record ..< first_record + record_count]`.
typedef struct {
    lsj_str event_id, event_type, api_version, object_type, object_id;
    int64_t created;          // event created, else object created; valid when has_created
    int8_t has_created;
    int8_t livemode;          // event livemode, else object livemode; -1 absent
    int8_t is_event;
    int8_t already_seen;      // 1: an event the caller's `seen` callback knew; nothing else was read
    int32_t problem;          // lsj_problem
    int32_t detail;           // lsj_syntax or lsj_expected
    lsj_str field;            // field path of a wrong-type / missing-field problem
    uint64_t raw_start, raw_end;  // byte range in the input buffer
    uint64_t line;            // 1-based line of raw_start (relative to the decoded range's first line)
    uint64_t problem_offset;  // byte offset of the problem in the input buffer
    uint32_t first_record, record_count;
} lsj_item;

typedef struct lsj_result lsj_result;

typedef enum {
    /// The range is one JSON document (an object — event, list or bare object — or an array).
    LSJ_MODE_DOCUMENT = 0,
    /// The range is JSON Lines: every non-blank line is its own document.
    LSJ_MODE_LINES = 1,
} lsj_mode;

/// Decodes `buffer[start ..< end]`. `buffer_len` is the whole buffer's length (bytes past `end`
/// may be read as simdjson padding). `reference_keys` are the metadata keys whose value is an
/// invoice reference, in order of preference. Never returns NULL except when out of memory.
/// Line numbers in the result count from 1 at `start`.
lsj_result *lsj_decode(const uint8_t *buffer, size_t buffer_len, size_t start, size_t end,
                       int mode, const char *const *reference_keys, size_t reference_key_count);

/// Answers whether an event id (`evt_…`, UTF-8, not NUL-terminated) was applied before.
/// Called from the decoding thread; must only read shared state.
typedef int (*lsj_seen_fn)(void *context, const char *id, size_t length);

/// Like `lsj_decode`, but an event whose top-level `id` the `seen` callback knows is emitted as an
/// item with `already_seen` set and nothing else read — a re-import of events seen before skips
/// most of the decoding work.
lsj_result *lsj_decode_skipping(const uint8_t *buffer, size_t buffer_len, size_t start, size_t end,
                                int mode, const char *const *reference_keys, size_t reference_key_count,
                                lsj_seen_fn seen, void *seen_context);

size_t lsj_item_count(const lsj_result *result);
const lsj_item *lsj_items(const lsj_result *result);
size_t lsj_record_count(const lsj_result *result);
const lsj_record *lsj_records(const lsj_result *result);
const uint8_t *lsj_arena(const lsj_result *result);
/// Newlines in the decoded range (for the caller to offset the next range's line numbers).
uint64_t lsj_newline_count(const lsj_result *result);
void lsj_free(lsj_result *result);

#ifdef __cplusplus
}
#endif

#endif
