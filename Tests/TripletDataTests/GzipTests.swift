import Foundation
import Testing

@testable import TripletData

@Suite("Gzip")
struct GzipTests {
    let payload: [UInt8] = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }

    @Test func detectsTheMagicNumber() {
        #expect(Gzip.isCompressed([0x1f, 0x8b, 8]))
        #expect(!Gzip.isCompressed([0, 0, 8, 3]))
        #expect(!Gzip.isCompressed([0x1f]))
    }

    @Test func decompressesStoredBlocksAcrossChunks() throws {
        #expect(try Gzip.decompress(gzipStored(payload), source: "p.gz") == payload)
        #expect(try Gzip.decompress(gzipStored([]), source: "empty.gz") == [])
    }

    /// A stream that expands past the limit stops there with a clear error, before holding more.
    @Test func stopsAtTheExpansionLimit() throws {
        #expect(try Gzip.decompress(gzipStored(payload), source: "p.gz", limit: payload.count) == payload)
        let failure = corruptReason { _ = try Gzip.decompress(gzipStored(payload), source: "big.gz", limit: 100_000) }
        #expect(failure?.path == "big.gz")
        #expect(failure?.reason.contains("expands past 100000 bytes") == true, "\(String(describing: failure))")
        let joined = gzipStored([1, 2, 3]) + gzipStored([4, 5])
        #expect(corruptReason { _ = try Gzip.decompress(joined, source: "two.gz", limit: 4) } != nil)
    }

    @Test func decompressesConcatenatedMembers() throws {
        let joined = gzipStored([1, 2, 3]) + gzipStored([4, 5])
        #expect(try Gzip.decompress(joined, source: "two.gz") == [1, 2, 3, 4, 5])
    }

    @Test func rejectsATruncatedStream() {
        let whole = gzipStored(payload)
        for cut in [2, 10, 5000, whole.count - 8, whole.count - 1] {
            let failure = corruptReason { _ = try Gzip.decompress(Array(whole[..<cut]), source: "cut.gz") }
            #expect(failure?.path == "cut.gz")
            #expect(
                failure?.reason.contains("truncated gzip stream") == true,
                "cut at \(cut): \(String(describing: failure))")
        }
    }

    @Test func rejectsCorruptData() {
        var badChecksum = gzipStored(payload)
        badChecksum[badChecksum.count - 6] ^= 0xff
        let checksum = corruptReason { _ = try Gzip.decompress(badChecksum, source: "crc.gz") }
        #expect(checksum?.reason.contains("corrupt gzip data") == true)
        #expect(checksum?.reason.contains("incorrect data check") == true)

        var badBlock = gzipStored(payload)
        badBlock[10] = 0x07  // block type 11: reserved
        let block = corruptReason { _ = try Gzip.decompress(badBlock, source: "block.gz") }
        #expect(block?.reason.contains("corrupt gzip data") == true)

        var badMethod = gzipStored(payload)
        badMethod[2] = 7  // compression method other than deflate
        #expect(
            corruptReason { _ = try Gzip.decompress(badMethod, source: "m.gz") }?.reason.contains("corrupt") == true)
    }

    @Test func rejectsTrailingGarbage() {
        let failure = corruptReason { _ = try Gzip.decompress(gzipStored([1, 2]) + [9, 9, 9], source: "t.gz") }
        #expect(failure?.reason == "3 bytes of trailing data after the gzip stream")
    }

    @Test func rejectsBytesWithoutTheMagicNumber() {
        #expect(
            corruptReason { _ = try Gzip.decompress([1, 2, 3], source: "x") }?.reason.contains("not a gzip") == true)
    }
}
