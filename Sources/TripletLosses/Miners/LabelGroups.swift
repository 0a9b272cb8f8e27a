/// The samples of each class in a batch, so that per-anchor loops visit positives in O(P), not O(B).
struct LabelGroups {
    /// For every sample, the dense id (0..<classCount) of its class.
    let classOf: [Int32]
    /// The members of class c are `members[offsets[c]..<offsets[c + 1]]`, in increasing order.
    let members: [Int32]
    let offsets: [Int]

    init(_ labels: [Int]) {
        var ids: [Int: Int32] = [:]
        var classOf = [Int32](repeating: 0, count: labels.count)
        var sizes: [Int] = []
        for (i, label) in labels.enumerated() {
            let id: Int32
            if let known = ids[label] {
                id = known
            } else {
                id = Int32(sizes.count)
                ids[label] = id
                sizes.append(0)
            }
            classOf[i] = id
            sizes[Int(id)] += 1
        }
        var offsets = [0]
        for size in sizes { offsets.append(offsets[offsets.count - 1] + size) }
        var fill = Array(offsets.dropLast())
        var members = [Int32](repeating: 0, count: labels.count)
        for (i, id) in classOf.enumerated() {
            members[fill[Int(id)]] = Int32(i)
            fill[Int(id)] += 1
        }
        self.classOf = classOf
        self.members = members
        self.offsets = offsets
    }

    /// The members of the class of sample `i` (itself included).
    @inline(__always)
    func classmates(of i: Int) -> ArraySlice<Int32> {
        let c = Int(classOf[i])
        return members[offsets[c]..<offsets[c + 1]]
    }
}
