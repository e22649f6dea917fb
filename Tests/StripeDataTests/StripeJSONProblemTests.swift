import LedgerCore
import StripeData
import Testing

/// Broken inputs: each yields a pinned problem, never a crash, and never quotes customer data.
@Suite struct StripeJSONProblemTests {
    @Test func emptyFile() {
        for text in ["", "  \n\r\n\t", "\u{FEFF}"] {
            let input = decode(text, file: "empty.json")
            #expect(input.events.isEmpty)
            #expect(input.problems.map(\.description) == ["empty.json line 1: the file is empty; export the events again, or remove the file"])
            #expect(input.problems.first?.kind == .emptyFile)
        }
    }

    @Test func binaryFile() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0xFF, 0xD8]
        let input = decode(png, file: "logo.png")
        #expect(input.problems.map(\.description) == ["logo.png line 1: not JSON: the file starts with neither '{' nor '['; give a Stripe event file, a JSON array or list of events, or JSON Lines"])
        #expect(input.problems.first?.kind == .notJSON)
    }

    @Test func binaryBytesInsideJSON() throws {
        var bytes = Array(#"{"id":"ch_1","object":"charge","description":""#.utf8)
        bytes += [0xFF, 0xFE, 0x80, 0x81]
        bytes += Array(#""}"#.utf8)
        let input = decode(bytes, file: "bin.json")
        let p = try #require(input.problems.first)
        #expect(p.kind == .notUTF8)
        #expect(p.description == "bin.json line 1: not UTF-8 text (a binary file?); give a Stripe event file in JSON or JSON Lines")
    }

    @Test func truncatedDocument() throws {
        let text = "{\n  \"id\": \"evt_1\",\n  \"object\": \"event\",\n  \"data\": {\"object\": {\"id\": \"ch_1\", \"amount\": 10"
        let input = decode(text, file: "cut.json")
        #expect(input.events.isEmpty)
        let p = try #require(input.problems.first)
        #expect(input.problems.count == 1)
        #expect(p.kind == .truncatedJSON)
        #expect(p.message == "the JSON ends early or its brackets do not balance (a cut-off download or copy?); fetch these events from Stripe again")
    }

    /// A cut-off JSON document (not JSON Lines) is refused whole: its end cannot be trusted.
    @Test func truncatedArrayIsRefusedWhole() throws {
        let text = "[\n" + event(charge(id: "ch_a"), id: "evt_a") + ",\n" + String(event(charge(id: "ch_b"), id: "evt_b").prefix(120))
        let input = decode(text, file: "cut.json")
        #expect(input.events.isEmpty)
        #expect(input.problems.map(\.kind) == [.truncatedJSON])
    }

    @Test func amountAsString() throws {
        let input = decode(event(charge(amount: "\"1000\"")), file: "events.json")
        #expect(input.events.isEmpty)
        let p = try #require(input.problems.first)
        #expect(p.kind == .wrongType)
        #expect(p.description == "events.json line 1: charge ch_1: `amount` is a string, expected an integer; give it as Stripe sends it (this item was skipped)")
    }

    @Test func fractionalAmount() throws {
        let p = try #require(decode(charge(amount: "10.5")).problems.first)
        #expect(p.message == "charge ch_1: `amount` is a number that is not a whole number (or too large), expected an integer; give it as Stripe sends it (this item was skipped)")
    }

    @Test func negativeChargeAmount() throws {
        let input = decode(event(charge(amount: "-500")), file: "events.json")
        #expect(input.events.isEmpty)
        let p = try #require(input.problems.first)
        #expect(p.kind == .negativeAmount)
        #expect(p.description == "events.json line 1: charge ch_1: amount -500 USD is below zero, which Stripe never sends for this object; this item was skipped — check the file against the Stripe Dashboard")
    }

    @Test(arguments: ["ch_a\\nevt_2", "ch_b ", "=1+2"])
    func anIdThatIsNotAStripeId(id: String) throws {
        let p = try #require(decode(event(charge(id: id)), file: "events.json").problems.first)
        #expect(p.kind == .badID)
        #expect(p.message == "charge object's `id` is not a Stripe id (letters, digits, '_', '-' and '.' only); this item was skipped — give it as Stripe sends it")
    }

    @Test func anAmountLargerThanAnyStripeAmount() throws {
        let p = try #require(decode(event(charge(amount: "9223372036854775807")), file: "events.json").problems.first)
        #expect(p.kind == .amountOutOfRange)
        #expect(p.message == "charge ch_1: amount 9223372036854775807 is larger than any Stripe amount; this item was skipped — check the file against the Stripe Dashboard")
    }

    @Test func wrongTypeInAFieldTheKindDoesNotReadIsIgnored() throws {
        // `number` means nothing on a charge, so its type does not matter.
        let input = decode(charge(extra: #","number":42,"fee":"n/a""#))
        #expect(input.problems.isEmpty)
        #expect(input.records.count == 1)
    }

    @Test func linkOfTheWrongType() throws {
        let p = try #require(decode(charge(extra: #","invoice":17"#)).problems.first)
        #expect(p.message == "charge ch_1: `invoice` is a number, expected an id string or an object with an id; give it as Stripe sends it (this item was skipped)")
    }

    @Test func livemodeAsString() throws {
        let text = event(charge()).replacingOccurrences(of: #""livemode":false,"api_version""#, with: #""livemode":"no","api_version""#)
        let p = try #require(decode(text).problems.first)
        #expect(p.message == "event evt_1: `livemode` is a string, expected true or false; give it as Stripe sends it (this item was skipped)")
    }

    @Test func oneBrokenLineAmongGoodOnes() throws {
        let lines = [
            event(charge(id: "ch_1"), id: "evt_1"),
            event(charge(id: "ch_2"), id: "evt_2"),
            #"{"id":"evt_3","object":"event","type":"charge.succeeded","data":{"object":{"id":"ch_3","amount":"#,
            event(charge(id: "ch_4"), id: "evt_4"),
        ]
        let text = lines.joined(separator: "\n") + "\n"
        let input = decode(text, file: "events.jsonl")
        #expect(input.records.map(\.id) == ["ch_1", "ch_2", "ch_4"])
        #expect(input.events.map(\.line) == [1, 2, 4])
        #expect(input.problems.map(\.description) == ["events.jsonl line 3: the JSON ends early or its brackets do not balance (a cut-off download or copy?); fetch these events from Stripe again"])
        let offset = lines[0].utf8.count + lines[1].utf8.count + 2
        #expect(input.problems.first?.offset == offset)
    }

    @Test func brokenFirstLineOfJSONLines() throws {
        let text = "{\"id\": tru\n" + event(charge(id: "ch_2"), id: "evt_2") + "\n"
        let input = decode(text, file: "events.jsonl")
        #expect(input.records.map(\.id) == ["ch_2"])
        let p = try #require(input.problems.first)
        #expect(p.line == 1)
    }

    @Test func invalidTokenInALine() throws {
        let text = event(charge(id: "ch_1")) + "\n" + #"{"id":"evt_2","object":"event","created":nul,"data":{"object":{"id":"ch_2","object":"charge"}}}"# + "\n"
        let input = decode(text, file: "events.jsonl")
        #expect(input.records.map(\.id) == ["ch_1"])
        #expect(input.problems.map(\.description) == ["events.jsonl line 2: not valid JSON; fix this part of the file or fetch these events from Stripe again"])
    }

    @Test func trailingTextAfterAnObject() throws {
        let text = "{\n\"id\": \"ch_1\", \"object\": \"charge\"\n}\n{\"id\": \"ch_2\"}\nnot json\n"
        let input = decode(text, file: "mixed.json")
        let p = try #require(input.problems.first)
        #expect([InputProblem.Kind.trailingContent, .truncatedJSON].contains(p.kind))
        #expect(input.events.isEmpty)
    }

    @Test(arguments: [#"{"id": "ch_1", "object": "charge"} xyz"#, #"[{"id": "ch_1", "object": "charge"}] extra"#])
    func textAfterACompleteValueIsNotCalledCutOff(text: String) throws {
        let p = try #require(decode(text, file: "extra.json").problems.first)
        #expect(p.kind == .trailingContent, "\(p)")
        #expect(p.message.hasPrefix("extra text after the JSON value"))
        let cut = try #require(decode(#"{"id": "ch_1", "object": "cha"#, file: "cut.json").problems.first)
        #expect(cut.kind == .truncatedJSON)
    }

    @Test func arrayElementThatIsNotAnObject() throws {
        let text = "[" + charge(id: "ch_1") + ", 42, \"evt\"]"
        let input = decode(text, file: "a.json")
        #expect(input.records.map(\.id) == ["ch_1"])
        #expect(input.problems.map(\.message) == [
            "this value is not a JSON object; each item must be a Stripe event or API object",
            "this value is not a JSON object; each item must be a Stripe event or API object",
        ])
        #expect(input.problems.map(\.kind) == [.notAnObject, .notAnObject])
    }

    @Test func eventWithoutDataObject() throws {
        let p = try #require(decode(#"{"id":"evt_9","object":"event","type":"charge.succeeded","created":1,"data":{}}"#).problems.first)
        #expect(p.kind == .missingField)
        #expect(p.message == "event evt_9 has no `data.object`; give it as Stripe sends it (this item was skipped)")
    }

    @Test func objectWithoutID() throws {
        let p = try #require(decode(#"{"object":"refund","amount":100,"currency":"usd"}"#).problems.first)
        #expect(p.message == "refund object has no `id`; give it as Stripe sends it (this item was skipped)")
    }

    @Test func objectThatIsNotStripe() throws {
        let input = decode(#"{"name":"not stripe","value":3}"#)
        #expect(input.problems.map(\.message) == ["this object has neither an `object` field nor a known Stripe id; give Stripe events or API objects as Stripe sends them"])
    }

    @Test func unknownEventTypesAreCountedNotFatal() {
        let lines = [
            event(#"{"id":"prod_1","object":"product","name":"Course"}"#, id: "evt_1", type: "product.created"),
            event(#"{"id":"prod_2","object":"product","name":"Course"}"#, id: "evt_2", type: "product.created"),
            event(charge(), id: "evt_3"),
            event(#"{"id":"sub_1","object":"subscription"}"#, id: "evt_4", type: "customer.subscription.created"),
        ]
        let input = decode(lines.joined(separator: "\n"))
        #expect(input.problems.isEmpty)
        #expect(input.ignoredTypes == ["product.created": 2, "customer.subscription.created": 1])
        #expect(input.events.map(\.eventID) == ["evt_3"])
    }

    /// No message quotes an email, a name or card data, whatever the broken input.
    @Test func messagesKeepCustomerDataOut() {
        let secretish = ["payer@example.com", "receipt@example.com", "A Payer", "4242"]
        let inputs = [
            charge(amount: "\"1000\""), charge(currency: "\"payer@example.com\""), charge(currency: "null"),
            charge(amount: "551", currency: "\"isk\""), charge(extra: #","captured":"yes""#),
            String(event(charge()).prefix(300)),
        ]
        for text in inputs {
            for p in decode(text).problems {
                for s in secretish { #expect(!p.description.contains(s)) }
            }
        }
    }
}
