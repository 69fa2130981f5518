import Testing

@testable import LedgerImport

@Suite("Import progress line")
struct ProgressLineTests {
    @Test("Bar, percent, rows, rate and the time left at the average rate")
    func midway() {
        // 25% of the file in 10 s: 30 s to go.
        #expect(
            ProgressLine.render(rows: 1_000_000, fraction: 0.25, elapsed: 10, barWidth: 20)
                == "[#####...............]  25%  1,000,000 rows  100,000 rows/s  ETA 0:30")
    }

    @Test("No ETA before there is anything to go by")
    func start() {
        #expect(ProgressLine.render(rows: 0, fraction: 0, elapsed: 0, barWidth: 10) == "[..........]   0%  0 rows  0 rows/s  ETA --:--")
        #expect(ProgressLine.render(rows: 10, fraction: 0.001, elapsed: 2, barWidth: 10).hasSuffix("ETA --:--"))
        #expect(ProgressLine.render(rows: 10, fraction: 0.5, elapsed: 0.1, barWidth: 10).hasSuffix("ETA --:--"))
    }

    @Test("Done is a full bar and no time left; fractions out of range are clamped")
    func done() {
        #expect(ProgressLine.render(rows: 2_500_000, fraction: 1, elapsed: 25, barWidth: 8) == "[########] 100%  2,500,000 rows  100,000 rows/s  ETA 0:00")
        #expect(ProgressLine.render(rows: 5, fraction: 1.7, elapsed: 1, barWidth: 4).hasPrefix("[####] 100%"))
        #expect(ProgressLine.render(rows: 5, fraction: -1, elapsed: 1, barWidth: 4).hasPrefix("[....]   0%"))
    }

    @Test("An input of unknown size shows rows and rate only")
    func unknownSize() {
        #expect(ProgressLine.render(rows: 1_234, fraction: nil, elapsed: 2) == "1,234 rows  617 rows/s")
    }

    @Test("Durations: m:ss, h:mm:ss, rounded up")
    func durations() {
        #expect(ProgressLine.duration(0.2) == "0:01")
        #expect(ProgressLine.duration(59) == "0:59")
        #expect(ProgressLine.duration(61) == "1:01")
        #expect(ProgressLine.duration(3_600) == "1:00:00")
        #expect(ProgressLine.duration(3_725.5) == "1:02:06")
        #expect(ProgressLine.duration(.infinity) == "--:--")
    }

    @Test("Thousands are grouped")
    func grouping() {
        #expect(ProgressLine.grouped(0) == "0")
        #expect(ProgressLine.grouped(999) == "999")
        #expect(ProgressLine.grouped(1_000) == "1,000")
        #expect(ProgressLine.grouped(12_345_678) == "12,345,678")
    }
}
