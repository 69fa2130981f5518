import CPhoneNumber
import Foundation
import LedgerIdentity

/// `phones`: nanoseconds per phone number, on Ukrainian numbers (half valid mobiles, half
/// any nine digits). `--events N` numbers per figure (default 1,000,000), `--runs` rounds.
///
/// - `validity.library`: libphonenumber's own `IsValidNumber()`;
/// - `validity.check`: the shim's check from the library's metadata (decision 0013); the two
///   must answer the same for every number, or the suite fails;
/// - `normalize.international` / `normalize.national`: `PhoneNormalizer` (region UA) on valid
///   numbers written `+380…` and `0…`, as an import meets them.
struct PhonesSuite {
    let options: BenchOptions

    /// Mobile codes in use in Ukraine.
    static let mobileCodes: [UInt64] = [50, 63, 66, 67, 68, 73, 91, 93, 95, 96, 97, 98, 99]

    func run() throws {
        let count = options.eventsFlag ?? 1_000_000
        var generator = SystemRandomNumberGenerator()
        let numbers: [UInt64] = (0..<count).map { index in
            index % 2 == 0
                ? Self.mobileCodes[index / 2 % Self.mobileCodes.count] * 10_000_000 + UInt64.random(in: 0..<10_000_000, using: &generator)
                : UInt64.random(in: 100_000_000..<1_000_000_000, using: &generator)
        }
        var valid = 0
        for number in numbers {
            let library = clpn_library_is_valid(380, number)
            guard clpn_check_validity(380, number) == (library ? CLPN_VALIDITY_VALID : CLPN_VALIDITY_NOT_VALID) else {
                throw BenchFailure("the validity check and the library disagree on a generated number")
            }
            if library { valid += 1 }
        }
        let international = stride(from: 0, to: count, by: 2).map { "+380\(numbers[$0])" }
        let national = international.map { "0" + $0.dropFirst(4) }
        let normalizer = try PhoneNormalizer(defaultRegion: "UA")
        var libraryRuns = [Double](), checkRuns = [Double](), internationalRuns = [Double](), nationalRuns = [Double]()
        for _ in 0..<options.runs {
            var sink = 0
            libraryRuns.append(BenchReport.time {
                for number in numbers where clpn_library_is_valid(380, number) { sink &+= 1 }
            } / Double(count) * 1e9)
            checkRuns.append(BenchReport.time {
                for number in numbers where clpn_check_validity(380, number) == CLPN_VALIDITY_VALID { sink &+= 1 }
            } / Double(count) * 1e9)
            internationalRuns.append(try BenchReport.time {
                for text in international { sink &+= try normalizer.normalize(text).e164.utf8.count }
            } / Double(international.count) * 1e9)
            nationalRuns.append(try BenchReport.time {
                for text in national { sink &+= try normalizer.normalize(text).e164.utf8.count }
            } / Double(national.count) * 1e9)
            guard sink > 0 else { throw BenchFailure("nothing was valid") }
        }
        FileHandle.standardError.write(Data("phones: \(count) numbers, \(valid) valid\n".utf8))
        BenchReport.figure("phones.validity.library", libraryRuns, unit: "ns", lowerIsBetter: true)
        BenchReport.figure("phones.validity.check", checkRuns, unit: "ns", lowerIsBetter: true)
        BenchReport.figure("phones.normalize.international", internationalRuns, unit: "ns", lowerIsBetter: true)
        BenchReport.figure("phones.normalize.national", nationalRuns, unit: "ns", lowerIsBetter: true)
    }
}
