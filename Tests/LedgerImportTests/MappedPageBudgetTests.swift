import Testing
@testable import LedgerImport

@Suite("MappedPageBudget")
struct MappedPageBudgetTests {
    typealias Usage = MappedPageBudget.Usage

    @Test("reads the resident set and its file-backed part from statm, in bytes")
    func parsesStatm() throws {
        let usage = try #require(Usage(statm: Array("1049600 70000 45000 3000 0 25000 0\n".utf8), pageSize: 4096))
        #expect(usage == Usage(resident: 70000 * 4096, file: 45000 * 4096))
    }

    @Test("refuses text that is not statm", arguments: ["", "12 34", "a b c", "1 99999999999999999999 3 4"])
    func refusesOtherText(_ text: String) {
        #expect(Usage(statm: Array(text.utf8), pageSize: 4096) == nil)
    }

    @Test("this process's usage can be read, and its file part is within the resident set")
    func readsOwnUsage() throws {
        let usage = try #require(MappedPageBudget.StatmReader()?.usage())
        #expect(usage.resident > 0)
        #expect(usage.file <= usage.resident)
    }

    @Test("releases only over the limit, and never maps under the floor")
    func decides() {
        let budget = MappedPageBudget(limit: 256 << 20)
        #expect(!budget.shouldRelease(Usage(resident: 200 << 20, file: 150 << 20)))
        #expect(budget.shouldRelease(Usage(resident: 260 << 20, file: 150 << 20)))
        // A heap alone over the limit: releasing maps of a few MiB would only make reads fault.
        #expect(!budget.shouldRelease(Usage(resident: 300 << 20, file: MappedPageBudget.floor)))
        #expect(budget.shouldRelease(Usage(resident: 300 << 20, file: MappedPageBudget.floor + 1)))
    }
}
