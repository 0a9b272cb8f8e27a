import Foundation
import Testing
import TripletCore
import TripletData

/// A device given as a data file: /dev/zero never ends, and reading it whole filled the memory.
@Suite("Device files")
struct DeviceFileTests {
    @Test func aCharacterDeviceIsRefusedBeforeReading() {
        let zero = URL(fileURLWithPath: "/dev/zero")
        let expected = TripletError.corruptFile(path: "/dev/zero", reason: "is a device, not a file")
        #expect(throws: expected) { _ = try NPY.read(contentsOf: zero) }
        #expect(throws: expected) { _ = try IDX.read(contentsOf: zero) }
        #expect(throws: expected) { _ = try CSVFeatures.read(contentsOf: zero) }
    }
}
