// The only file that calls simdjson (On-Demand API, simdjson 3.0.1 from libsimdjson-dev).
//
// simdjson contracts relied on here:
// - `ondemand::parser::iterate(padded_string_view)` needs SIMDJSON_PADDING readable bytes after
//   the document; their content does not matter. A line in the middle of the input has them (the
//   following lines); the tail of the buffer is copied into a padded scratch buffer.
// - On-Demand validates only what it visits: unvisited values are skipped structurally.
// - A typed getter that fails with INCORRECT_TYPE / NUMBER_ERROR does not consume the value;
//   the enclosing field loop skips it and iteration continues. Any other error is fatal for the
//   document and is translated here, once, into an lsj_syntax value.
// - A `string_view` from `get_string()` lives until the next parse; it is copied into the arena.

#include "CSimdjson.h"

#include <simdjson.h>

#include <climits>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

using namespace simdjson;

namespace {

// Fields (and nested field paths) the decoder reads. Order matches kFieldNames.
enum Field : int {
    F_NONE = 0,
    F_ID, F_OBJECT, F_TYPE, F_CREATED, F_LIVEMODE, F_API_VERSION, F_DATA, F_DATA_OBJECT,
    F_STATUS, F_CURRENCY, F_CUSTOMER, F_CHARGE, F_PAYMENT_INTENT, F_INVOICE,
    F_BALANCE_TRANSACTION, F_SOURCE, F_LATEST_CHARGE,
    F_AMOUNT, F_AMOUNT_CAPTURED, F_AMOUNT_REFUNDED, F_AMOUNT_PAID, F_AMOUNT_DUE,
    F_AMOUNT_RECEIVED, F_AMOUNT_TOTAL, F_AMOUNT_REQUESTED, F_TOTAL, F_FEE, F_NET,
    F_ARRIVAL_DATE, F_CAPTURED, F_PAID_OUT_OF_BAND, F_NUMBER, F_REASON, F_FAILURE_REASON,
    F_FAILURE_CODE, F_PAYMENT_STATUS, F_RECEIPT_EMAIL, F_CUSTOMER_EMAIL, F_EMAIL,
    F_BILLING_DETAILS, F_BILLING_EMAIL, F_CUSTOMER_DETAILS, F_DETAILS_EMAIL,
    F_EVIDENCE_DETAILS, F_DUE_BY, F_METADATA, F_REFUNDS, F_REFUNDS_DATA, F_PAYMENTS,
    F_PAYMENTS_DATA, F_PAYMENT, F_PAYMENT_TYPE, F_PAYMENT_CHARGE, F_PAYMENT_PAYMENT_INTENT,
    F_BALANCE_TRANSACTIONS, F_PAYOUT,
    F_COUNT
};
static_assert(F_COUNT <= 64, "field bits must fit a uint64_t");

const char *const kFieldNames[F_COUNT] = {
    "", "id", "object", "type", "created", "livemode", "api_version", "data", "data.object",
    "status", "currency", "customer", "charge", "payment_intent", "invoice",
    "balance_transaction", "source", "latest_charge",
    "amount", "amount_captured", "amount_refunded", "amount_paid", "amount_due",
    "amount_received", "amount_total", "amount_requested", "total", "fee", "net",
    "arrival_date", "captured", "paid_out_of_band", "number", "reason", "failure_reason",
    "failure_code", "payment_status", "receipt_email", "customer_email", "email",
    "billing_details", "billing_details.email", "customer_details", "customer_details.email",
    "evidence_details", "evidence_details.due_by", "metadata", "refunds", "refunds.data", "payments",
    "payments.data", "payment", "payment.type", "payment.charge", "payment.payment_intent",
    "balance_transactions", "payout",
};

constexpr uint64_t bit(int f) { return uint64_t(1) << f; }

// Integer slots of Obj.
enum IntSlot : int {
    I_AMOUNT, I_AMOUNT_CAPTURED, I_AMOUNT_REFUNDED, I_AMOUNT_PAID, I_AMOUNT_DUE, I_AMOUNT_RECEIVED,
    I_AMOUNT_TOTAL, I_AMOUNT_REQUESTED, I_TOTAL, I_FEE, I_NET, I_ARRIVAL_DATE, I_CREATED, I_DUE_BY,
    I_COUNT
};

// String slots of Obj.
enum StrSlot : int {
    S_ID, S_OBJECT, S_TYPE, S_API_VERSION, S_STATUS, S_CURRENCY, S_CUSTOMER, S_CHARGE,
    S_PAYMENT_INTENT, S_INVOICE, S_BALANCE_TRANSACTION, S_SOURCE, S_LATEST_CHARGE, S_NUMBER,
    S_REASON, S_FAILURE_REASON, S_FAILURE_CODE, S_PAYMENT_STATUS, S_RECEIPT_EMAIL,
    S_CUSTOMER_EMAIL, S_EMAIL, S_BILLING_EMAIL, S_DETAILS_EMAIL, S_REFERENCE, S_PAYMENT_TYPE,
    S_PAYMENT_CHARGE, S_PAYMENT_PAYMENT_INTENT, S_PAYOUT,
    S_COUNT
};

enum Child : int8_t { CHILD_NONE, CHILD_REFUND, CHILD_PAYMENT, CHILD_DISPUTE_BT, CHILD_DATA };

// Everything read from one JSON object, whatever its kind (the kind may only be known at its end).
struct Obj {
    lsj_str s[S_COUNT];
    int64_t i[I_COUNT];
    uint32_t has_int;        // bits of IntSlot
    uint64_t bad;            // bits of Field with a wrong JSON type
    uint8_t found[F_COUNT];  // the JSON type found for each bad field
    int reference_rank;
    int8_t livemode, captured, paid_out_of_band;
    int8_t is_event, is_list;
    int8_t child_role;
    int kind;
    int data_object;          // pool index of an event's data.object, or -1
    int first_child, last_child, next_sibling;

    void reset() {
        for (auto &x : s) { x.pos = -1; x.len = 0; }
        has_int = 0;
        bad = 0;
        reference_rank = INT_MAX;
        livemode = captured = paid_out_of_band = -1;
        is_event = is_list = 0;
        child_role = CHILD_NONE;
        kind = LSJ_KIND_NONE;
        data_object = first_child = last_child = next_sibling = -1;
    }
    bool has(int slot) const { return (has_int >> slot) & 1; }
};

// Fields each kind uses: a wrong type in any of them makes the item a problem.
uint64_t relevantFields(int kind) {
    const uint64_t common = bit(F_ID) | bit(F_OBJECT) | bit(F_CREATED) | bit(F_LIVEMODE) | bit(F_STATUS) |
                            bit(F_CURRENCY);
    switch (kind) {
    case LSJ_KIND_CHARGE:
        return common | bit(F_AMOUNT) | bit(F_AMOUNT_CAPTURED) | bit(F_AMOUNT_REFUNDED) | bit(F_CAPTURED) |
               bit(F_CUSTOMER) | bit(F_BILLING_DETAILS) | bit(F_BILLING_EMAIL) | bit(F_RECEIPT_EMAIL) |
               bit(F_PAYMENT_INTENT) | bit(F_INVOICE) | bit(F_BALANCE_TRANSACTION) | bit(F_REFUNDS) |
               bit(F_REFUNDS_DATA);
    case LSJ_KIND_PAYMENT_INTENT:
        return common | bit(F_AMOUNT) | bit(F_AMOUNT_RECEIVED) | bit(F_CUSTOMER) | bit(F_RECEIPT_EMAIL) |
               bit(F_LATEST_CHARGE) | bit(F_INVOICE);
    case LSJ_KIND_CHECKOUT_SESSION:
        return common | bit(F_PAYMENT_INTENT) | bit(F_INVOICE) | bit(F_CUSTOMER) | bit(F_CUSTOMER_DETAILS) |
               bit(F_DETAILS_EMAIL) | bit(F_CUSTOMER_EMAIL) | bit(F_PAYMENT_STATUS) | bit(F_AMOUNT_TOTAL);
    case LSJ_KIND_INVOICE:
        return common | bit(F_NUMBER) | bit(F_CUSTOMER) | bit(F_CUSTOMER_EMAIL) | bit(F_TOTAL) |
               bit(F_AMOUNT_DUE) | bit(F_AMOUNT_PAID) | bit(F_CHARGE) | bit(F_PAYMENT_INTENT) |
               bit(F_PAID_OUT_OF_BAND) | bit(F_PAYMENTS) | bit(F_PAYMENTS_DATA);
    case LSJ_KIND_INVOICE_PAYMENT:
        return common | bit(F_INVOICE) | bit(F_AMOUNT_PAID) | bit(F_AMOUNT_REQUESTED) | bit(F_PAYMENT) |
               bit(F_PAYMENT_TYPE) | bit(F_PAYMENT_CHARGE) | bit(F_PAYMENT_PAYMENT_INTENT);
    case LSJ_KIND_CREDIT_NOTE:
        return common | bit(F_INVOICE) | bit(F_TOTAL) | bit(F_AMOUNT) | bit(F_TYPE) | bit(F_CUSTOMER);
    case LSJ_KIND_REFUND:
        return common | bit(F_CHARGE) | bit(F_PAYMENT_INTENT) | bit(F_AMOUNT) | bit(F_BALANCE_TRANSACTION) |
               bit(F_REASON) | bit(F_FAILURE_REASON);
    case LSJ_KIND_DISPUTE:
        return common | bit(F_CHARGE) | bit(F_PAYMENT_INTENT) | bit(F_AMOUNT) | bit(F_REASON) |
               bit(F_EVIDENCE_DETAILS) | bit(F_DUE_BY) | bit(F_BALANCE_TRANSACTIONS);
    case LSJ_KIND_PAYOUT:
        return common | bit(F_AMOUNT) | bit(F_ARRIVAL_DATE) | bit(F_BALANCE_TRANSACTION) | bit(F_TYPE) |
               bit(F_FAILURE_CODE);
    case LSJ_KIND_BALANCE_TRANSACTION:
        return common | bit(F_AMOUNT) | bit(F_FEE) | bit(F_NET) | bit(F_TYPE) | bit(F_SOURCE) | bit(F_PAYOUT);
    case LSJ_KIND_CUSTOMER:
        return bit(F_ID) | bit(F_OBJECT) | bit(F_CREATED) | bit(F_LIVEMODE) | bit(F_EMAIL);
    default:
        return 0;
    }
}

constexpr uint64_t kEventFields = bit(F_ID) | bit(F_OBJECT) | bit(F_TYPE) | bit(F_CREATED) | bit(F_LIVEMODE) |
                                  bit(F_API_VERSION) | bit(F_DATA) | bit(F_DATA_OBJECT);

int kindFromObjectName(std::string_view n) {
    switch (n.size()) {
    case 6:
        if (n == "charge") return LSJ_KIND_CHARGE;
        if (n == "refund") return LSJ_KIND_REFUND;
        if (n == "payout") return LSJ_KIND_PAYOUT;
        break;
    case 7:
        if (n == "invoice") return LSJ_KIND_INVOICE;
        if (n == "dispute") return LSJ_KIND_DISPUTE;
        break;
    case 8:
        if (n == "customer") return LSJ_KIND_CUSTOMER;
        break;
    case 11:
        if (n == "credit_note") return LSJ_KIND_CREDIT_NOTE;
        break;
    case 14:
        if (n == "payment_intent") return LSJ_KIND_PAYMENT_INTENT;
        break;
    case 15:
        if (n == "invoice_payment") return LSJ_KIND_INVOICE_PAYMENT;
        break;
    case 16:
        if (n == "checkout.session") return LSJ_KIND_CHECKOUT_SESSION;
        break;
    case 19:
        if (n == "balance_transaction") return LSJ_KIND_BALANCE_TRANSACTION;
        break;
    }
    return LSJ_KIND_NONE;
}

int kindFromIDPrefix(std::string_view id) {
    auto starts = [&](std::string_view p) { return id.substr(0, p.size()) == p; };
    if (starts("ch_") || starts("py_")) return LSJ_KIND_CHARGE;
    if (starts("pi_")) return LSJ_KIND_PAYMENT_INTENT;
    if (starts("cs_")) return LSJ_KIND_CHECKOUT_SESSION;
    if (starts("inpay_")) return LSJ_KIND_INVOICE_PAYMENT;
    if (starts("in_")) return LSJ_KIND_INVOICE;
    if (starts("cn_")) return LSJ_KIND_CREDIT_NOTE;
    if (starts("re_") || starts("pyr_")) return LSJ_KIND_REFUND;
    if (starts("du_") || starts("dp_")) return LSJ_KIND_DISPUTE;
    if (starts("po_")) return LSJ_KIND_PAYOUT;
    if (starts("txn_")) return LSJ_KIND_BALANCE_TRANSACTION;
    if (starts("cus_")) return LSJ_KIND_CUSTOMER;
    return LSJ_KIND_NONE;
}

// Key of a field as raw bytes (escapes not undone: no key we read contains one).
inline int fieldOf(const char *p) {
    size_t n = 0;
    while (p[n] != '"') {
        if (p[n] == '\\') return F_NONE;
        if (++n > 24) return F_NONE;
    }
    std::string_view k(p, n);
    switch (n) {
    case 2:
        if (k == "id") return F_ID;
        break;
    case 3:
        if (k == "fee") return F_FEE;
        if (k == "net") return F_NET;
        break;
    case 4:
        if (k == "type") return F_TYPE;
        if (k == "data") return F_DATA;
        break;
    case 5:
        if (k == "total") return F_TOTAL;
        if (k == "email") return F_EMAIL;
        break;
    case 6:
        if (k == "object") return F_OBJECT;
        if (k == "amount") return F_AMOUNT;
        if (k == "status") return F_STATUS;
        if (k == "charge") return F_CHARGE;
        if (k == "source") return F_SOURCE;
        if (k == "payout") return F_PAYOUT;
        if (k == "number") return F_NUMBER;
        if (k == "reason") return F_REASON;
        break;
    case 7:
        if (k == "created") return F_CREATED;
        if (k == "invoice") return F_INVOICE;
        if (k == "refunds") return F_REFUNDS;
        if (k == "payment") return F_PAYMENT;
        break;
    case 8:
        if (k == "livemode") return F_LIVEMODE;
        if (k == "currency") return F_CURRENCY;
        if (k == "customer") return F_CUSTOMER;
        if (k == "captured") return F_CAPTURED;
        if (k == "metadata") return F_METADATA;
        if (k == "payments") return F_PAYMENTS;
        break;
    case 10:
        if (k == "amount_due") return F_AMOUNT_DUE;
        break;
    case 11:
        if (k == "api_version") return F_API_VERSION;
        if (k == "amount_paid") return F_AMOUNT_PAID;
        break;
    case 12:
        if (k == "arrival_date") return F_ARRIVAL_DATE;
        if (k == "amount_total") return F_AMOUNT_TOTAL;
        if (k == "failure_code") return F_FAILURE_CODE;
        break;
    case 13:
        if (k == "latest_charge") return F_LATEST_CHARGE;
        if (k == "receipt_email") return F_RECEIPT_EMAIL;
        break;
    case 14:
        if (k == "payment_intent") return F_PAYMENT_INTENT;
        if (k == "failure_reason") return F_FAILURE_REASON;
        if (k == "payment_status") return F_PAYMENT_STATUS;
        if (k == "customer_email") return F_CUSTOMER_EMAIL;
        break;
    case 15:
        if (k == "amount_captured") return F_AMOUNT_CAPTURED;
        if (k == "amount_refunded") return F_AMOUNT_REFUNDED;
        if (k == "amount_received") return F_AMOUNT_RECEIVED;
        if (k == "billing_details") return F_BILLING_DETAILS;
        break;
    case 16:
        if (k == "amount_requested") return F_AMOUNT_REQUESTED;
        if (k == "paid_out_of_band") return F_PAID_OUT_OF_BAND;
        if (k == "customer_details") return F_CUSTOMER_DETAILS;
        if (k == "evidence_details") return F_EVIDENCE_DETAILS;
        break;
    case 19:
        if (k == "balance_transaction") return F_BALANCE_TRANSACTION;
        break;
    case 20:
        if (k == "balance_transactions") return F_BALANCE_TRANSACTIONS;
        break;
    }
    return F_NONE;
}

inline bool recoverable(error_code e) {
    return e == INCORRECT_TYPE || e == NUMBER_OUT_OF_RANGE;
}

lsj_syntax syntaxOf(error_code e) {
    switch (e) {
    case UTF8_ERROR: return LSJ_SYNTAX_NOT_UTF8;
    case INCOMPLETE_ARRAY_OR_OBJECT:
    case UNCLOSED_STRING:
    case EMPTY: return LSJ_SYNTAX_TRUNCATED;
    case DEPTH_ERROR: return LSJ_SYNTAX_TOO_DEEP;
    case TRAILING_CONTENT: return LSJ_SYNTAX_TRAILING;
    case CAPACITY:
    case MEMALLOC: return LSJ_SYNTAX_TOO_LARGE;
    default: return LSJ_SYNTAX_MALFORMED;
    }
}

inline lsj_str absent() { return lsj_str{-1, 0}; }

struct Fatal {
    error_code code;
};

} // namespace

struct lsj_result {
    const uint8_t *input;
    size_t input_len;
    std::vector<std::string_view> reference_keys;
    std::vector<uint8_t> arena;
    std::vector<lsj_item> items;
    std::vector<lsj_record> records;
    std::vector<Obj> pool;
    std::vector<uint8_t> padded;
    ondemand::parser parser;
    ondemand::document doc;
    uint64_t newlines = 0;

    // Where the document being decoded sits: `base` is the parsed copy (or the input itself),
    // `base_offset` the input offset of base[0].
    const uint8_t *base = nullptr;
    size_t base_offset = 0;
    // Line tracking for document mode: line `line_at_pos` starts at or before input offset `line_pos`.
    size_t range_start = 0;
    size_t line_pos = 0;
    uint64_t line_at_pos = 1;
    // JSON Lines mode: the current line's number (0 in document mode).
    uint64_t current_line = 0;
    lsj_seen_fn seen = nullptr;
    void *seen_context = nullptr;

    // ---- helpers -----------------------------------------------------------------------------

    size_t offsetOf(const char *p) const { return base_offset + size_t(reinterpret_cast<const uint8_t *>(p) - base); }

    uint64_t lineOf(size_t offset) {
        if (current_line) return current_line;
        if (offset < line_pos) {
            line_pos = range_start;
            line_at_pos = 1;
        }
        const uint8_t *p = input + line_pos, *e = input + offset;
        while (p < e) {
            const void *nl = memchr(p, '\n', size_t(e - p));
            if (!nl) break;
            line_at_pos++;
            p = static_cast<const uint8_t *>(nl) + 1;
        }
        line_pos = offset;
        return line_at_pos;
    }

    lsj_str copy(std::string_view sv) {
        lsj_str r{int64_t(arena.size()), int64_t(sv.size())};
        arena.insert(arena.end(), sv.begin(), sv.end());
        return r;
    }

    std::string_view view(lsj_str s) const {
        if (s.pos < 0) return {};
        return std::string_view(reinterpret_cast<const char *>(arena.data()) + s.pos, size_t(s.len));
    }

    static void markBad(Obj &o, int f, ondemand::json_type t) {
        if (!(o.bad & bit(f))) o.found[f] = uint8_t(t);
        o.bad |= bit(f);
    }

    int newObj(int parent, int8_t role) {
        pool.emplace_back();
        int idx = int(pool.size()) - 1;
        pool[idx].reset();
        pool[idx].child_role = role;
        if (parent >= 0 && role != CHILD_DATA) {
            Obj &p = pool[parent];
            if (p.last_child >= 0) pool[p.last_child].next_sibling = idx;
            else p.first_child = idx;
            p.last_child = idx;
        }
        return idx;
    }

    // ---- typed readers: a wrong type marks the field bad; a fatal error throws ----------------

    static ondemand::json_type typeOf(ondemand::value &v) {
        ondemand::json_type t;
        if (auto e = v.type().get(t)) throw Fatal{e};
        if (t == ondemand::json_type::null) {
            // type() looks at the first byte only; make sure the atom really is `null`.
            bool isNull = false;
            if (v.is_null().get(isNull) != SUCCESS || !isNull) throw Fatal{N_ATOM_ERROR};
        }
        return t;
    }

    void readInt(ondemand::value &v, int oi, int slot, int f) {
        auto t = typeOf(v);
        if (t == ondemand::json_type::null) return;
        if (t != ondemand::json_type::number) { markBad(pool[oi], f, t); return; }
        int64_t x;
        if (auto e = v.get_int64().get(x)) {
            if (!recoverable(e)) throw Fatal{e};
            markBad(pool[oi], f, t);
            return;
        }
        pool[oi].i[slot] = x;
        pool[oi].has_int |= uint32_t(1) << slot;
    }

    void readBool(ondemand::value &v, int oi, int8_t Obj::*slot, int f) {
        auto t = typeOf(v);
        if (t == ondemand::json_type::null) return;
        if (t != ondemand::json_type::boolean) { markBad(pool[oi], f, t); return; }
        bool b;
        if (auto e = v.get_bool().get(b)) throw Fatal{e};
        pool[oi].*slot = b ? 1 : 0;
    }

    void readString(ondemand::value &v, int oi, int slot, int f) {
        auto t = typeOf(v);
        if (t == ondemand::json_type::null) return;
        if (t != ondemand::json_type::string) { markBad(pool[oi], f, t); return; }
        std::string_view sv;
        if (auto e = v.get_string().get(sv)) throw Fatal{e};
        pool[oi].s[slot] = copy(sv);
    }

    // A link that is an id string or an expanded object with an `id`.
    void readID(ondemand::value &v, int oi, int slot, int f) {
        auto t = typeOf(v);
        if (t == ondemand::json_type::null) return;
        if (t == ondemand::json_type::string) {
            std::string_view sv;
            if (auto e = v.get_string().get(sv)) throw Fatal{e};
            pool[oi].s[slot] = copy(sv);
            return;
        }
        if (t != ondemand::json_type::object) { markBad(pool[oi], f, t); return; }
        ondemand::object obj;
        if (auto e = v.get_object().get(obj)) throw Fatal{e};
        for (auto field : obj) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            if (fieldOf(fl.key().raw()) != F_ID) continue;
            ondemand::value idv = fl.value();
            auto it = typeOf(idv);
            if (it != ondemand::json_type::string) { markBad(pool[oi], f, it); return; }
            std::string_view sv;
            if (auto e = idv.get_string().get(sv)) throw Fatal{e};
            pool[oi].s[slot] = copy(sv);
            return;  // the parent's iteration skips the rest of this object
        }
    }

    bool openObject(ondemand::value &v, int oi, int f, ondemand::object &out) {
        auto t = typeOf(v);
        if (t == ondemand::json_type::null) return false;
        if (t != ondemand::json_type::object) { markBad(pool[oi], f, t); return false; }
        if (auto e = v.get_object().get(out)) throw Fatal{e};
        return true;
    }

    // A small object from which one field is read (`billing_details.email`, `evidence_details.due_by`).
    void readNested(ondemand::value &v, int oi, int f, int innerField, bool isInt, int slot, int slotField) {
        ondemand::object obj;
        if (!openObject(v, oi, f, obj)) return;
        for (auto field : obj) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            if (fieldOf(fl.key().raw()) != innerField) continue;
            ondemand::value inner = fl.value();
            if (isInt) readInt(inner, oi, slot, slotField);
            else readString(inner, oi, slot, slotField);
            return;
        }
    }

    void readMetadata(ondemand::value &v, int oi) {
        ondemand::object obj;
        if (!openObject(v, oi, F_METADATA, obj)) return;
        for (auto field : obj) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            std::string_view key;
            if (auto e = fl.unescaped_key().get(key)) throw Fatal{e};
            int rank = -1;
            for (size_t r = 0; r < reference_keys.size(); r++) {
                if (reference_keys[r] == key) { rank = int(r); break; }
            }
            if (rank < 0 || rank >= pool[oi].reference_rank) continue;
            ondemand::value mv = fl.value();
            auto t = typeOf(mv);
            if (t != ondemand::json_type::string) continue;  // metadata values are strings; others are not references
            std::string_view sv;
            if (auto e = mv.get_string().get(sv)) throw Fatal{e};
            pool[oi].s[S_REFERENCE] = copy(sv);
            pool[oi].reference_rank = rank;
        }
    }

    void readPayment(ondemand::value &v, int oi) {
        ondemand::object obj;
        if (!openObject(v, oi, F_PAYMENT, obj)) return;
        for (auto field : obj) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            ondemand::value pv = fl.value();
            switch (fieldOf(fl.key().raw())) {
            case F_TYPE: readString(pv, oi, S_PAYMENT_TYPE, F_PAYMENT_TYPE); break;
            case F_CHARGE: readID(pv, oi, S_PAYMENT_CHARGE, F_PAYMENT_CHARGE); break;
            case F_PAYMENT_INTENT: readID(pv, oi, S_PAYMENT_PAYMENT_INTENT, F_PAYMENT_PAYMENT_INTENT); break;
            default: break;
            }
        }
    }

    // Objects of an array become children of `oi` (strings, e.g. unexpanded ids, are skipped).
    void readChildArray(ondemand::array &arr, int oi, int8_t role, int f) {
        for (auto elem : arr) {
            ondemand::value ev;
            if (auto e = std::move(elem).get(ev)) throw Fatal{e};
            auto t = typeOf(ev);
            if (t == ondemand::json_type::string) continue;
            if (t != ondemand::json_type::object) { markBad(pool[oi], f, t); continue; }
            ondemand::object child;
            if (auto e = ev.get_object().get(child)) throw Fatal{e};
            int ci = newObj(oi, role);
            readObject(child, ci, false);
        }
    }

    // An embedded list object (`refunds`, `payments`): {"object":"list","data":[...]}.
    void readEmbeddedList(ondemand::value &v, int oi, int8_t role, int f, int dataField) {
        auto t = typeOf(v);
        if (t != ondemand::json_type::object) {
            // Credit notes carry a `refunds` array of another shape; never ours to read.
            return;
        }
        ondemand::object obj;
        if (auto e = v.get_object().get(obj)) throw Fatal{e};
        for (auto field : obj) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            if (fieldOf(fl.key().raw()) != F_DATA) continue;
            ondemand::value dv = fl.value();
            auto dt = typeOf(dv);
            if (dt == ondemand::json_type::null) continue;
            if (dt != ondemand::json_type::array) { markBad(pool[oi], dataField, dt); continue; }
            ondemand::array arr;
            if (auto e = dv.get_array().get(arr)) throw Fatal{e};
            readChildArray(arr, oi, role, dataField);
        }
        (void)f;
    }

    // An event's `data`: {"object": {...}, "previous_attributes": {...}}.
    void readEventData(ondemand::object &data, int oi) {
        for (auto field : data) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            if (fieldOf(fl.key().raw()) != F_OBJECT) continue;
            ondemand::value ov = fl.value();
            auto t = typeOf(ov);
            if (t != ondemand::json_type::object) { markBad(pool[oi], F_DATA_OBJECT, t); continue; }
            ondemand::object obj;
            if (auto e = ov.get_object().get(obj)) throw Fatal{e};
            int ci = newObj(oi, CHILD_DATA);
            pool[oi].data_object = ci;
            readObject(obj, ci, false);
        }
    }

    void setObjectName(ondemand::value &v, int oi) {
        auto t = typeOf(v);
        if (t != ondemand::json_type::string) {
            if (t != ondemand::json_type::null) markBad(pool[oi], F_OBJECT, t);
            return;
        }
        std::string_view sv;
        if (auto e = v.get_string().get(sv)) throw Fatal{e};
        Obj &o = pool[oi];
        o.s[S_OBJECT] = copy(sv);
        if (sv == "event") o.is_event = 1;
        else if (sv == "list") o.is_list = 1;
        else o.kind = kindFromObjectName(sv);
    }

    // Reads every field of one object. At the top of a document (`top`), a `data` array makes it
    // a list whose elements are emitted as items as they are read.
    void readObject(ondemand::object &obj, int oi, bool top) {
        for (auto field : obj) {
            ondemand::field fl;
            if (auto e = std::move(field).get(fl)) throw Fatal{e};
            int f = fieldOf(fl.key().raw());
            if (f == F_NONE) continue;
            ondemand::value v = fl.value();
            switch (f) {
            case F_ID: readString(v, oi, S_ID, F_ID); break;
            case F_OBJECT: setObjectName(v, oi); break;
            case F_TYPE: readString(v, oi, S_TYPE, F_TYPE); break;
            case F_CREATED: readInt(v, oi, I_CREATED, F_CREATED); break;
            case F_LIVEMODE: readBool(v, oi, &Obj::livemode, F_LIVEMODE); break;
            case F_API_VERSION: readString(v, oi, S_API_VERSION, F_API_VERSION); break;
            case F_DATA: {
                auto t = typeOf(v);
                if (t == ondemand::json_type::object) {
                    ondemand::object data;
                    if (auto e = v.get_object().get(data)) throw Fatal{e};
                    readEventData(data, oi);
                } else if (t == ondemand::json_type::array && top) {
                    ondemand::array arr;
                    if (auto e = v.get_array().get(arr)) throw Fatal{e};
                    pool[oi].is_list = 1;
                    readListElements(arr);
                } else if (t != ondemand::json_type::null) {
                    markBad(pool[oi], F_DATA, t);
                }
                break;
            }
            case F_STATUS: readString(v, oi, S_STATUS, F_STATUS); break;
            case F_CURRENCY: readString(v, oi, S_CURRENCY, F_CURRENCY); break;
            case F_CUSTOMER: readID(v, oi, S_CUSTOMER, F_CUSTOMER); break;
            case F_CHARGE: readID(v, oi, S_CHARGE, F_CHARGE); break;
            case F_PAYMENT_INTENT: readID(v, oi, S_PAYMENT_INTENT, F_PAYMENT_INTENT); break;
            case F_INVOICE: readID(v, oi, S_INVOICE, F_INVOICE); break;
            case F_BALANCE_TRANSACTION: readID(v, oi, S_BALANCE_TRANSACTION, F_BALANCE_TRANSACTION); break;
            case F_SOURCE: readID(v, oi, S_SOURCE, F_SOURCE); break;
            case F_PAYOUT: readID(v, oi, S_PAYOUT, F_PAYOUT); break;
            case F_LATEST_CHARGE: readID(v, oi, S_LATEST_CHARGE, F_LATEST_CHARGE); break;
            case F_AMOUNT: readInt(v, oi, I_AMOUNT, F_AMOUNT); break;
            case F_AMOUNT_CAPTURED: readInt(v, oi, I_AMOUNT_CAPTURED, F_AMOUNT_CAPTURED); break;
            case F_AMOUNT_REFUNDED: readInt(v, oi, I_AMOUNT_REFUNDED, F_AMOUNT_REFUNDED); break;
            case F_AMOUNT_PAID: readInt(v, oi, I_AMOUNT_PAID, F_AMOUNT_PAID); break;
            case F_AMOUNT_DUE: readInt(v, oi, I_AMOUNT_DUE, F_AMOUNT_DUE); break;
            case F_AMOUNT_RECEIVED: readInt(v, oi, I_AMOUNT_RECEIVED, F_AMOUNT_RECEIVED); break;
            case F_AMOUNT_TOTAL: readInt(v, oi, I_AMOUNT_TOTAL, F_AMOUNT_TOTAL); break;
            case F_AMOUNT_REQUESTED: readInt(v, oi, I_AMOUNT_REQUESTED, F_AMOUNT_REQUESTED); break;
            case F_TOTAL: readInt(v, oi, I_TOTAL, F_TOTAL); break;
            case F_FEE: readInt(v, oi, I_FEE, F_FEE); break;
            case F_NET: readInt(v, oi, I_NET, F_NET); break;
            case F_ARRIVAL_DATE: readInt(v, oi, I_ARRIVAL_DATE, F_ARRIVAL_DATE); break;
            case F_CAPTURED: readBool(v, oi, &Obj::captured, F_CAPTURED); break;
            case F_PAID_OUT_OF_BAND: readBool(v, oi, &Obj::paid_out_of_band, F_PAID_OUT_OF_BAND); break;
            case F_NUMBER: readString(v, oi, S_NUMBER, F_NUMBER); break;
            case F_REASON: readString(v, oi, S_REASON, F_REASON); break;
            case F_FAILURE_REASON: readString(v, oi, S_FAILURE_REASON, F_FAILURE_REASON); break;
            case F_FAILURE_CODE: readString(v, oi, S_FAILURE_CODE, F_FAILURE_CODE); break;
            case F_PAYMENT_STATUS: readString(v, oi, S_PAYMENT_STATUS, F_PAYMENT_STATUS); break;
            case F_RECEIPT_EMAIL: readString(v, oi, S_RECEIPT_EMAIL, F_RECEIPT_EMAIL); break;
            case F_CUSTOMER_EMAIL: readString(v, oi, S_CUSTOMER_EMAIL, F_CUSTOMER_EMAIL); break;
            case F_EMAIL: readString(v, oi, S_EMAIL, F_EMAIL); break;
            case F_BILLING_DETAILS:
                readNested(v, oi, F_BILLING_DETAILS, F_EMAIL, false, S_BILLING_EMAIL, F_BILLING_EMAIL);
                break;
            case F_CUSTOMER_DETAILS:
                readNested(v, oi, F_CUSTOMER_DETAILS, F_EMAIL, false, S_DETAILS_EMAIL, F_DETAILS_EMAIL);
                break;
            case F_EVIDENCE_DETAILS: {
                ondemand::object obj2;
                if (!openObject(v, oi, F_EVIDENCE_DETAILS, obj2)) break;
                for (auto field2 : obj2) {
                    ondemand::field fl2;
                    if (auto e = std::move(field2).get(fl2)) throw Fatal{e};
                    std::string_view key;
                    if (auto e = fl2.unescaped_key().get(key)) throw Fatal{e};
                    if (key != "due_by") continue;
                    ondemand::value dv = fl2.value();
                    readInt(dv, oi, I_DUE_BY, F_DUE_BY);
                }
                break;
            }
            case F_METADATA: readMetadata(v, oi); break;
            case F_REFUNDS: readEmbeddedList(v, oi, CHILD_REFUND, F_REFUNDS, F_REFUNDS_DATA); break;
            case F_PAYMENTS: readEmbeddedList(v, oi, CHILD_PAYMENT, F_PAYMENTS, F_PAYMENTS_DATA); break;
            case F_PAYMENT: readPayment(v, oi); break;
            case F_BALANCE_TRANSACTIONS: {
                auto t = typeOf(v);
                if (t == ondemand::json_type::null) break;
                if (t != ondemand::json_type::array) { markBad(pool[oi], F_BALANCE_TRANSACTIONS, t); break; }
                ondemand::array arr;
                if (auto e = v.get_array().get(arr)) throw Fatal{e};
                readChildArray(arr, oi, CHILD_DISPUTE_BT, F_BALANCE_TRANSACTIONS);
                break;
            }
            default: break;
            }
        }
        Obj &o = pool[oi];
        if (o.kind == LSJ_KIND_NONE && !o.is_event && !o.is_list && o.s[S_OBJECT].pos < 0 && o.s[S_ID].pos >= 0) {
            std::string_view id = view(o.s[S_ID]);
            if (id.substr(0, 4) == "evt_" && o.data_object >= 0) o.is_event = 1;
            else o.kind = kindFromIDPrefix(id);
        }
    }

    // ---- emission ------------------------------------------------------------------------------

    lsj_item newItem(size_t rawStart, size_t rawEnd) {
        lsj_item it;
        std::memset(&it, 0, sizeof it);
        it.event_id = it.event_type = it.api_version = it.object_type = it.object_id = it.field = absent();
        it.livemode = -1;
        it.raw_start = rawStart;
        it.raw_end = rawEnd;
        it.line = lineOf(rawStart);
        it.problem_offset = rawStart;
        it.first_record = uint32_t(records.size());
        return it;
    }

    void emitSyntax(error_code e, size_t rawStart, size_t rawEnd, size_t at) {
        lsj_item it = newItem(rawStart, rawEnd);
        it.problem = LSJ_PROBLEM_SYNTAX;
        it.detail = syntaxOf(e);
        // simdjson may call a whole value followed by more text "incomplete": tell the two apart.
        if (it.detail == LSJ_SYNTAX_TRUNCATED && closesBeforeEnd(rawStart, rawEnd)) it.detail = LSJ_SYNTAX_TRAILING;
        it.problem_offset = at;
        if (!current_line) it.line = lineOf(at);
        items.push_back(it);
    }

    void emitNotObject(size_t rawStart, size_t rawEnd) {
        lsj_item it = newItem(rawStart, rawEnd);
        it.problem = LSJ_PROBLEM_NOT_AN_OBJECT;
        items.push_back(it);
    }

    // First bad field of `o` that its kind uses, or F_NONE.
    static int firstBad(const Obj &o, uint64_t mask) {
        uint64_t b = o.bad & mask;
        if (!b) return F_NONE;
        return __builtin_ctzll(b);
    }

    bool checkObject(lsj_item &it, int oi) {
        const Obj &o = pool[oi];
        int f = firstBad(o, relevantFields(o.kind));
        if (f == F_NONE && o.s[S_ID].pos < 0) {
            it.problem = LSJ_PROBLEM_MISSING_FIELD;
            it.field = copy(kFieldNames[F_ID]);
            it.object_type = o.s[S_OBJECT];
            return false;
        }
        if (f != F_NONE) {
            it.problem = LSJ_PROBLEM_WRONG_TYPE;
            it.detail = expectedOf(f) | (int32_t(o.found[f]) << 8);
            it.field = copy(kFieldNames[f]);
            it.object_type = o.s[S_OBJECT];
            it.object_id = o.s[S_ID];
            return false;
        }
        return true;
    }

    static int32_t expectedOf(int f) {
        switch (f) {
        case F_CREATED: case F_AMOUNT: case F_AMOUNT_CAPTURED: case F_AMOUNT_REFUNDED: case F_AMOUNT_PAID:
        case F_AMOUNT_DUE: case F_AMOUNT_RECEIVED: case F_AMOUNT_TOTAL: case F_AMOUNT_REQUESTED: case F_TOTAL:
        case F_FEE: case F_NET: case F_ARRIVAL_DATE: case F_DUE_BY:
            return LSJ_EXPECT_INTEGER;
        case F_LIVEMODE: case F_CAPTURED: case F_PAID_OUT_OF_BAND: return LSJ_EXPECT_BOOLEAN;
        case F_CUSTOMER: case F_CHARGE: case F_PAYMENT_INTENT: case F_INVOICE: case F_BALANCE_TRANSACTION:
        case F_SOURCE: case F_LATEST_CHARGE: case F_PAYMENT_CHARGE: case F_PAYMENT_PAYMENT_INTENT: case F_PAYOUT:
            return LSJ_EXPECT_ID;
        case F_DATA: case F_DATA_OBJECT: case F_BILLING_DETAILS: case F_CUSTOMER_DETAILS: case F_EVIDENCE_DETAILS:
        case F_METADATA: case F_PAYMENT: case F_REFUNDS: case F_PAYMENTS:
            return LSJ_EXPECT_OBJECT;
        case F_BALANCE_TRANSACTIONS: case F_REFUNDS_DATA: case F_PAYMENTS_DATA: return LSJ_EXPECT_ARRAY;
        default: return LSJ_EXPECT_STRING;
        }
    }

    static uint32_t hasBit(int slot) { return uint32_t(1) << slot; }

    void emitRecord(int oi, int8_t eventLivemode) {
        const Obj &o = pool[oi];
        lsj_record r;
        std::memset(&r, 0, sizeof r);
        lsj_str *strs[] = {&r.id, &r.status, &r.currency, &r.fee_currency, &r.customer, &r.charge,
                           &r.payment_intent, &r.invoice, &r.balance_transaction, &r.source, &r.email,
                           &r.reference, &r.number, &r.type, &r.reason, &r.payout};
        for (auto *p : strs) *p = absent();
        r.kind = o.kind;
        // The object's own mode, else its event's (a disagreement between the two is the caller's to refuse).
        r.livemode = o.livemode >= 0 ? o.livemode : eventLivemode;
        r.captured = -1;
        r.paid_out_of_band = -1;
        r.id = o.s[S_ID];
        r.currency = o.s[S_CURRENCY];
        r.status = o.s[S_STATUS];
        auto setInt = [&](int64_t &dst, uint32_t presentBit, int slot) {
            if (o.has(slot)) { dst = o.i[slot]; r.present |= presentBit; }
        };
        auto first = [](lsj_str a, lsj_str b) { return a.pos >= 0 ? a : b; };
        setInt(r.created, LSJ_HAS_CREATED, I_CREATED);
        switch (o.kind) {
        case LSJ_KIND_CHARGE:
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            setInt(r.amount_captured, LSJ_HAS_AMOUNT_CAPTURED, I_AMOUNT_CAPTURED);
            setInt(r.amount_refunded, LSJ_HAS_AMOUNT_REFUNDED, I_AMOUNT_REFUNDED);
            r.captured = o.captured;
            r.customer = o.s[S_CUSTOMER];
            r.email = first(o.s[S_BILLING_EMAIL], o.s[S_RECEIPT_EMAIL]);
            r.payment_intent = o.s[S_PAYMENT_INTENT];
            r.invoice = o.s[S_INVOICE];
            r.balance_transaction = o.s[S_BALANCE_TRANSACTION];
            r.reference = o.s[S_REFERENCE];
            break;
        case LSJ_KIND_PAYMENT_INTENT:
            if (o.has(I_AMOUNT_RECEIVED) && o.i[I_AMOUNT_RECEIVED] > 0) setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT_RECEIVED);
            else setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            r.customer = o.s[S_CUSTOMER];
            r.email = o.s[S_RECEIPT_EMAIL];
            r.charge = o.s[S_LATEST_CHARGE];
            r.invoice = o.s[S_INVOICE];
            r.reference = o.s[S_REFERENCE];
            break;
        case LSJ_KIND_CHECKOUT_SESSION:
            r.payment_intent = o.s[S_PAYMENT_INTENT];
            r.invoice = o.s[S_INVOICE];
            r.customer = o.s[S_CUSTOMER];
            r.email = first(o.s[S_DETAILS_EMAIL], o.s[S_CUSTOMER_EMAIL]);
            r.reference = o.s[S_REFERENCE];
            r.status = o.s[S_PAYMENT_STATUS];
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT_TOTAL);
            break;
        case LSJ_KIND_INVOICE:
            r.number = o.s[S_NUMBER];
            r.customer = o.s[S_CUSTOMER];
            r.email = o.s[S_CUSTOMER_EMAIL];
            setInt(r.total, LSJ_HAS_TOTAL, I_TOTAL);
            setInt(r.amount_due, LSJ_HAS_AMOUNT_DUE, I_AMOUNT_DUE);
            setInt(r.amount_paid, LSJ_HAS_AMOUNT_PAID, I_AMOUNT_PAID);
            r.charge = o.s[S_CHARGE];
            r.payment_intent = o.s[S_PAYMENT_INTENT];
            r.paid_out_of_band = o.paid_out_of_band;
            r.reference = o.s[S_REFERENCE];
            break;
        case LSJ_KIND_INVOICE_PAYMENT:
            r.invoice = o.s[S_INVOICE];
            setInt(r.amount_paid, LSJ_HAS_AMOUNT_PAID, I_AMOUNT_PAID);
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT_REQUESTED);
            r.type = o.s[S_PAYMENT_TYPE];
            r.charge = o.s[S_PAYMENT_CHARGE];
            r.payment_intent = o.s[S_PAYMENT_PAYMENT_INTENT];
            break;
        case LSJ_KIND_CREDIT_NOTE:
            r.invoice = o.s[S_INVOICE];
            if (o.has(I_TOTAL)) setInt(r.amount, LSJ_HAS_AMOUNT, I_TOTAL);
            else setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            r.type = o.s[S_TYPE];
            r.customer = o.s[S_CUSTOMER];
            break;
        case LSJ_KIND_REFUND:
            r.charge = o.s[S_CHARGE];
            r.payment_intent = o.s[S_PAYMENT_INTENT];
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            r.balance_transaction = o.s[S_BALANCE_TRANSACTION];
            r.reason = first(o.s[S_FAILURE_REASON], o.s[S_REASON]);
            break;
        case LSJ_KIND_DISPUTE: {
            r.charge = o.s[S_CHARGE];
            r.payment_intent = o.s[S_PAYMENT_INTENT];
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            r.reason = o.s[S_REASON];
            setInt(r.due_by, LSJ_HAS_DUE_BY, I_DUE_BY);
            int64_t fee = 0;
            bool any = false, mixed = false;
            lsj_str feeCurrency = absent();
            for (int c = o.first_child; c >= 0; c = pool[c].next_sibling) {
                const Obj &bt = pool[c];
                if (bt.child_role != CHILD_DISPUTE_BT || !bt.has(I_FEE)) continue;
                if (any && view(feeCurrency) != view(bt.s[S_CURRENCY])) mixed = true;
                feeCurrency = bt.s[S_CURRENCY];
                fee += bt.i[I_FEE];
                any = true;
            }
            if (any && !mixed) {
                r.fee = fee;
                r.present |= LSJ_HAS_FEE;
                r.fee_currency = feeCurrency;
            }
            break;
        }
        case LSJ_KIND_PAYOUT:
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            setInt(r.due_by, LSJ_HAS_DUE_BY, I_ARRIVAL_DATE);
            r.balance_transaction = o.s[S_BALANCE_TRANSACTION];
            r.type = o.s[S_TYPE];
            r.reason = o.s[S_FAILURE_CODE];
            break;
        case LSJ_KIND_BALANCE_TRANSACTION:
            setInt(r.amount, LSJ_HAS_AMOUNT, I_AMOUNT);
            setInt(r.fee, LSJ_HAS_FEE, I_FEE);
            setInt(r.net, LSJ_HAS_NET, I_NET);
            r.type = o.s[S_TYPE];
            r.source = o.s[S_SOURCE];
            r.payout = o.s[S_PAYOUT];
            break;
        case LSJ_KIND_CUSTOMER:
            r.email = o.s[S_EMAIL];
            r.status = absent();
            r.currency = absent();  // a customer's default currency is not an amount's currency
            break;
        default:
            break;
        }
        records.push_back(r);
    }

    // Which children of `oi` become records of their own.
    static int8_t recordChildRole(int kind) {
        if (kind == LSJ_KIND_CHARGE) return CHILD_REFUND;
        if (kind == LSJ_KIND_INVOICE) return CHILD_PAYMENT;
        return CHILD_NONE;
    }
    static int expectedChildKind(int8_t role) {
        return role == CHILD_REFUND ? LSJ_KIND_REFUND : role == CHILD_PAYMENT ? LSJ_KIND_INVOICE_PAYMENT : LSJ_KIND_NONE;
    }

    // Emits the item for the top object of one document, line or list element.
    void emitUnit(int ti, size_t rawStart, size_t rawEnd) {
        if (pool[ti].is_list) return;  // its elements were emitted as they were read
        lsj_item it = newItem(rawStart, rawEnd);
        const Obj &t = pool[ti];
        int mi = ti;
        int8_t eventLivemode = -1;
        if (t.is_event) {
            it.is_event = 1;
            it.event_id = t.s[S_ID];
            it.event_type = t.s[S_TYPE];
            it.api_version = t.s[S_API_VERSION];
            it.livemode = t.livemode;
            eventLivemode = t.livemode;
            if (t.has(I_CREATED)) { it.created = t.i[I_CREATED]; it.has_created = 1; }
            int f = firstBad(t, kEventFields);
            if (f != F_NONE) {
                it.problem = LSJ_PROBLEM_WRONG_TYPE;
                it.detail = expectedOf(f) | (int32_t(t.found[f]) << 8);
                it.field = copy(kFieldNames[f]);
                it.object_type = t.s[S_OBJECT];
                it.object_id = t.s[S_ID];
                items.push_back(it);
                return;
            }
            if (t.data_object < 0) {
                it.problem = LSJ_PROBLEM_MISSING_FIELD;
                it.field = copy(kFieldNames[F_DATA_OBJECT]);
                it.object_type = t.s[S_OBJECT];
                it.object_id = t.s[S_ID];
                items.push_back(it);
                return;
            }
            mi = t.data_object;
        }
        const Obj &m = pool[mi];
        it.object_type = m.s[S_OBJECT];
        it.object_id = m.s[S_ID];
        if (!it.has_created && m.has(I_CREATED)) { it.created = m.i[I_CREATED]; it.has_created = 1; }
        if (it.livemode < 0) it.livemode = m.livemode;
        if (m.kind == LSJ_KIND_NONE) {  // ignored: counted by the caller
            items.push_back(it);
            return;
        }
        if (!checkObject(it, mi)) { items.push_back(it); return; }
        int8_t role = recordChildRole(m.kind);
        for (int c = m.first_child; c >= 0; c = pool[c].next_sibling) {
            const Obj &child = pool[c];
            if (child.child_role == CHILD_DISPUTE_BT) {
                int f = firstBad(child, bit(F_FEE) | bit(F_CURRENCY));
                if (f != F_NONE) {
                    it.problem = LSJ_PROBLEM_WRONG_TYPE;
                    it.detail = expectedOf(f) | (int32_t(child.found[f]) << 8);
                    it.field = copy(std::string("balance_transactions[].") + kFieldNames[f]);
                    it.object_type = m.s[S_OBJECT];
                    items.push_back(it);
                    return;
                }
                continue;
            }
            if (child.child_role != role) continue;
            if (child.kind != LSJ_KIND_NONE && child.kind != expectedChildKind(role)) continue;
            if (!checkObject(it, c)) { items.push_back(it); return; }
        }
        emitRecord(mi, eventLivemode);
        for (int c = m.first_child; c >= 0; c = pool[c].next_sibling) {
            Obj &child = pool[c];
            if (child.child_role != role || role == CHILD_NONE) continue;
            if (child.kind == LSJ_KIND_NONE) child.kind = expectedChildKind(role);
            if (child.kind != expectedChildKind(role)) continue;
            emitRecord(c, eventLivemode);
        }
        it.record_count = uint32_t(records.size()) - it.first_record;
        items.push_back(it);
    }

    // Elements of a top-level array or list `data`: each is an item with its own byte range.
    void readListElements(ondemand::array &arr) {
        size_t mark = pool.size();
        for (auto elem : arr) {
            ondemand::value ev;
            if (auto e = std::move(elem).get(ev)) throw Fatal{e};
            std::string_view token = ev.raw_json_token();
            size_t start = offsetOf(token.data());
            auto t = typeOf(ev);
            if (t != ondemand::json_type::object) {
                size_t end = start + token.size();
                while (end > start && isSpace(input[end - 1])) end--;
                emitNotObject(start, end);
                continue;
            }
            ondemand::object obj;
            if (auto e = ev.get_object().get(obj)) throw Fatal{e};
            pool.resize(mark);
            int ei = newObj(-1, CHILD_NONE);
            try {
                readObject(obj, ei, false);
            } catch (Fatal &f) {
                pendingStart = start;
                throw;
            }
            size_t end = elementEnd(start);
            emitUnit(ei, start, end);
        }
        pool.resize(mark);
    }

    // Start of the element being read when a fatal error happened (list elements only).
    size_t pendingStart = SIZE_MAX;

    static bool isSpace(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

    // End of the element just read: the next token (',' or ']') with whitespace trimmed.
    size_t elementEnd(size_t start) {
        const char *loc = nullptr;
        if (doc.current_location().get(loc) != SUCCESS) return start;
        size_t end = offsetOf(loc);
        while (end > start && isSpace(input[end - 1])) end--;
        return end;
    }

    // simdjson 3.0.1 has no public document::at_end(); current_location() says OUT_OF_BOUNDS there.
    bool atEnd() {
        const char *loc = nullptr;
        return doc.current_location().get(loc) == OUT_OF_BOUNDS;
    }

    // Decodes one document: input[start ..< end] (already trimmed, non-empty).
    void decodeDocument(size_t start, size_t end) {
        size_t len = end - start;
        if (input_len - start >= len + SIMDJSON_PADDING) {
            base = input + start;
        } else {
            padded.assign(input + start, input + end);
            padded.resize(len + SIMDJSON_PADDING, 0);
            base = padded.data();
        }
        base_offset = start;
        pendingStart = SIZE_MAX;
        pool.clear();
        auto errorAt = [&](error_code e) {
            const char *loc = nullptr;
            size_t at = start;
            if (doc.current_location().get(loc) == SUCCESS) {
                size_t o = offsetOf(loc);
                if (o >= start && o <= end) at = o;
            }
            if (pendingStart != SIZE_MAX) {
                emitSyntax(e, pendingStart, end, at);
            } else {
                emitSyntax(e, start, end, at);
            }
        };
        if (seen && skipIfSeen(start, end)) return;
        size_t capacity = base == padded.data() ? padded.size() : input_len - start;
        auto e = parser.iterate(padded_string_view(base, len, capacity)).get(doc);
        if (e) { emitSyntax(e, start, end, start); return; }
        try {
            ondemand::json_type t;
            if (auto e2 = doc.type().get(t)) throw Fatal{e2};
            if (t == ondemand::json_type::array) {
                ondemand::array arr;
                if (auto e2 = doc.get_array().get(arr)) throw Fatal{e2};
                readListElements(arr);
            } else if (t == ondemand::json_type::object) {
                ondemand::object obj;
                if (auto e2 = doc.get_object().get(obj)) throw Fatal{e2};
                int ti = newObj(-1, CHILD_NONE);
                readObject(obj, ti, true);
                if (!atEnd()) throw Fatal{TRAILING_CONTENT};
                emitUnit(ti, start, end);
                return;
            } else {
                emitNotObject(start, end);
                return;
            }
            if (!atEnd()) throw Fatal{TRAILING_CONTENT};
        } catch (Fatal &f) {
            errorAt(f.code);
        }
    }

    // Whether input[start ..< end] holds a complete object or array followed by more than whitespace.
    // A byte scan that tracks strings and nesting.
    bool closesBeforeEnd(size_t start, size_t end) const {
        const uint8_t *p = input + start, *e = input + end;
        while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
        if (p == e || (*p != '{' && *p != '[')) return false;
        int depth = 0;
        for (; p < e; p++) {
            uint8_t c = *p;
            if (c == '"') {
                const uint8_t *q = p + 1;
                while (q < e && *q != '"') { if (*q == '\\') q++; q++; }
                if (q >= e) return false;
                p = q;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0) {
                    for (p++; p < e; p++) {
                        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return true;
                    }
                    return false;
                }
            }
        }
        return false;
    }

    // The value of the top-level "id" key of the object in input[start ..< end], when it is a plain
    // string (no escapes). A byte scan that tracks strings and nesting, so a nested object's "id"
    // never counts; anything unexpected gives an empty view and the caller decodes in full.
    std::string_view topLevelID(size_t start, size_t end) const {
        const uint8_t *p = input + start, *e = input + end;
        if (p == e || *p != '{') return {};
        int depth = 0;
        bool expectKey = false;
        for (; p < e; p++) {
            uint8_t c = *p;
            if (c == '"') {
                const uint8_t *q = p + 1;
                while (q < e && *q != '"') { if (*q == '\\') q++; q++; }
                if (q >= e) return {};
                if (depth == 1 && expectKey && q - p == 3 && p[1] == 'i' && p[2] == 'd') {
                    const uint8_t *v = q + 1;
                    while (v < e && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r' || *v == ':')) v++;
                    if (v >= e || *v != '"') return {};
                    const uint8_t *w = v + 1;
                    while (w < e && *w != '"' && *w != '\\') w++;
                    if (w >= e || *w != '"') return {};
                    return std::string_view(reinterpret_cast<const char *>(v + 1), size_t(w - v - 1));
                }
                expectKey = false;
                p = q;
            } else if (c == '{') {
                depth++;
                expectKey = depth == 1;
            } else if (c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            } else if (c == ',' && depth == 1) {
                expectKey = true;
            }
        }
        return {};
    }

    // An event the caller has applied before: only its top-level `id` is looked at, nothing parsed.
    bool skipIfSeen(size_t start, size_t end) {
        std::string_view id = topLevelID(start, end);
        if (id.size() <= 4 || id.substr(0, 4) != "evt_" || seen(seen_context, id.data(), id.size()) == 0) return false;
        lsj_item it = newItem(start, end);
        it.is_event = 1;
        it.already_seen = 1;
        it.event_id = copy(id);
        items.push_back(it);
        return true;
    }

    void decodeLines(size_t start, size_t end) {
        size_t p = start;
        uint64_t line = 1;
        while (p < end) {
            const void *nl = memchr(input + p, '\n', end - p);
            size_t lineEnd = nl ? size_t(static_cast<const uint8_t *>(nl) - input) : end;
            size_t s = p, e = lineEnd;
            while (s < e && isSpace(input[s])) s++;
            while (e > s && isSpace(input[e - 1])) e--;
            if (s < e) {
                current_line = line;
                decodeDocument(s, e);
            }
            if (!nl) break;
            newlines++;
            line++;
            p = lineEnd + 1;
        }
        current_line = 0;
    }
};

extern "C" {

lsj_result *lsj_decode(const uint8_t *buffer, size_t buffer_len, size_t start, size_t end, int mode,
                       const char *const *reference_keys, size_t reference_key_count) {
    return lsj_decode_skipping(buffer, buffer_len, start, end, mode, reference_keys, reference_key_count, nullptr, nullptr);
}

lsj_result *lsj_decode_skipping(const uint8_t *buffer, size_t buffer_len, size_t start, size_t end, int mode,
                                const char *const *reference_keys, size_t reference_key_count,
                                lsj_seen_fn seen, void *seen_context) {
    try {
        auto *r = new lsj_result();
        r->seen = seen;
        r->seen_context = seen_context;
        r->input = buffer;
        r->input_len = buffer_len;
        if (end > buffer_len) end = buffer_len;
        if (start > end) start = end;
        r->range_start = start;
        r->line_pos = start;
        for (size_t k = 0; k < reference_key_count; k++) r->reference_keys.emplace_back(reference_keys[k]);
        if (mode == LSJ_MODE_LINES) {
            r->decodeLines(start, end);
        } else {
            size_t s = start, e = end;
            while (s < e && lsj_result::isSpace(buffer[s])) s++;
            while (e > s && lsj_result::isSpace(buffer[e - 1])) e--;
            if (s < e) r->decodeDocument(s, e);
        }
        return r;
    } catch (...) {
        return nullptr;
    }
}

size_t lsj_item_count(const lsj_result *r) { return r->items.size(); }
const lsj_item *lsj_items(const lsj_result *r) { return r->items.data(); }
size_t lsj_record_count(const lsj_result *r) { return r->records.size(); }
const lsj_record *lsj_records(const lsj_result *r) { return r->records.data(); }
const uint8_t *lsj_arena(const lsj_result *r) { return r->arena.data(); }
uint64_t lsj_newline_count(const lsj_result *r) { return r->newlines; }
void lsj_free(lsj_result *r) { delete r; }

}
