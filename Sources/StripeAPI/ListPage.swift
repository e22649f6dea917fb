import Foundation

/// What a pull needs from a list answer besides its objects: whether more follow, and the last id.
public struct ListPage: Sendable, Equatable {
    public var hasMore: Bool
    public var count: Int
    public var lastID: String?

    /// - Throws: `.notAList` when the bytes are not `{"object":"list","data":[…],"has_more":…}`.
    public static func parse(_ bytes: [UInt8], endpoint: String) throws(StripeAPIError) -> ListPage {
        struct Item: Decodable { var id: String? }
        struct Body: Decodable {
            var object: String?
            var data: [Item]?
            var has_more: Bool?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(bytes)), body.object == "list", let data = body.data else {
            throw StripeAPIError(.notAList, context: endpoint, "the answer is not a Stripe list object; check --api-base points at the Stripe API")
        }
        return ListPage(hasMore: body.has_more ?? false, count: data.count, lastID: data.last?.id)
    }
}
