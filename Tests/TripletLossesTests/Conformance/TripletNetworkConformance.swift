import Foundation
import TripletCore

@testable import TripletLosses

/// `TripletNetworkLoss (Hoffer & Ailon 2015)`: no params; embeddings, explicit triplets; loss and grad.
enum TripletNetworkConformance {
    static let family = "TripletNetworkLoss (Hoffer & Ailon 2015)"

    static func check(_ record: FamilyRecord) throws -> [String] {
        _ = try record.params(known: [])
        let triplets = try record.field("triplets", as: [[Int]].self).map { t -> Triplet in
            guard t.count == 3 else {
                throw ConformanceRecord.Unsupported(description: "triplet \(t) is not (a, p, n)")
            }
            return Triplet(t[0], t[1], t[2])
        }
        return try record.compare(try TripletNetworkLoss()(try record.tensor("embeddings"), triplets: triplets))
    }
}
