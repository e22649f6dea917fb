import Foundation
import LedgerCore
import StripeData

/// Bytes of a copied Stripe reference fixture (`Fixtures/<name>.json`).
func fixture(_ name: String) throws -> [UInt8] {
    guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
        throw FixtureMissing(name: name)
    }
    return Array(try Data(contentsOf: url))
}

struct FixtureMissing: Error { var name: String }

func decode(_ text: String, file: String = "input.json", door: Record.Door = .file,
            settings: ReconcileSettings = ReconcileSettings()) -> StripeInput {
    StripeJSON.decode(Array(text.utf8), file: file, door: door, settings: settings)
}

func decode(_ bytes: [UInt8], file: String = "input.json") -> StripeInput {
    StripeJSON.decode(bytes, file: file, door: .file, settings: ReconcileSettings())
}

/// An event envelope around `object` (JSON text), on one line.
func event(_ object: String, id: String = "evt_1", type: String = "charge.succeeded", created: Int = 1_700_000_000,
           livemode: Bool = false, apiVersion: String = "2024-06-20") -> String {
    let compact = object.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    return #"{"id":"\#(id)","object":"event","type":"\#(type)","created":\#(created),"livemode":\#(livemode),"api_version":"\#(apiVersion)","data":{"object":\#(compact),"previous_attributes":{"status":"pending"}}}"#
}

/// A minimal charge object.
func charge(id: String = "ch_1", amount: String = "1000", currency: String = "\"usd\"", extra: String = "") -> String {
    #"{"id":"\#(id)","object":"charge","amount":\#(amount),"amount_captured":\#(amount),"amount_refunded":0,"captured":true,"currency":\#(currency),"status":"succeeded","customer":"cus_1","payment_intent":"pi_1","balance_transaction":"txn_1","billing_details":{"email":"payer@example.com","name":"A Payer"},"receipt_email":"receipt@example.com","metadata":{"invoice_number":"INV-1"},"created":1690000000,"livemode":false,"refunds":{"object":"list","data":[],"has_more":false}\#(extra)}"#
}

extension StripeInput {
    var records: [Record] { events.flatMap(\.records) }
}
