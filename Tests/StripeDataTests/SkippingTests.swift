import LedgerCore
import StripeData
import Testing

/// Events applied before are skipped by id in JSON Lines (and single-event files); inside an array every
/// event is decoded and the session dedupes them. Either way the rest decode as usual.
@Suite struct SkippingTests {
    static func event(_ id: String, charge: String, pretty: Bool = false) -> String {
        let body = #"{"data":{"object":{"id":"\#(charge)","object":"charge","amount":500,"amount_captured":500,"captured":true,"status":"succeeded","currency":"usd","created":1767225600,"metadata":{}}},"id":"\#(id)","object":"event","type":"charge.succeeded","created":1767225600,"livemode":false}"#
        return pretty ? body.replacingOccurrences(of: ",", with: ",\n  ") : body
    }

    @Test(arguments: [false, true])
    func knownEventsComeBackWithoutRecords(lines: Bool) {
        let text = lines
            ? [Self.event("evt_1", charge: "ch_1"), Self.event("evt_2", charge: "ch_2"), Self.event("evt_3", charge: "ch_3")].joined(separator: "\n")
            : "[" + [Self.event("evt_1", charge: "ch_1"), Self.event("evt_2", charge: "ch_2", pretty: true), Self.event("evt_3", charge: "ch_3")].joined(separator: ",") + "]"
        let bytes = Array(text.utf8)
        let full = StripeJSON.decode(bytes, file: "e", door: .file, settings: ReconcileSettings())
        let skipped = StripeJSON.decode(bytes, file: "e", door: .file, settings: ReconcileSettings(), skipping: ["evt_2"])
        #expect(full.events.map(\.eventID) == ["evt_1", "evt_2", "evt_3"])
        #expect(skipped.events.map(\.eventID) == ["evt_1", "evt_2", "evt_3"])
        if lines {
            #expect(skipped.events[1].records.isEmpty)
        } else {
            #expect(skipped.events[1] == full.events[1])
        }
        #expect(skipped.events[1].raw == full.events[1].raw)
        #expect(skipped.events[1].line == full.events[1].line)
        #expect(skipped.events[0] == full.events[0])
        #expect(skipped.events[2] == full.events[2])
        #expect(skipped.problems.isEmpty)
    }
}
