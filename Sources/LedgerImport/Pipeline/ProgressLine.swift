/// The progress bar `ledger import` draws on a terminal: how much of the file is done, rows,
/// rows per second, and the time left at the average rate so far.
///
/// A pure function of its inputs, so the CLI only decides when to draw it.
public enum ProgressLine {
    /// Below this fraction, or this many seconds, an ETA would be noise; `--:--` is shown.
    static let minimumFraction = 0.005
    static let minimumSeconds = 0.5

    /// The line, without the carriage return that redraws it: e.g.
    /// `[##########..............]  42%  1,050,000 rows  104,233 rows/s  ETA 0:14`.
    /// With no fraction (an input of unknown size) only the rows and the rate are shown.
    public static func render(rows: Int, fraction: Double?, elapsed: Double, barWidth: Int = 24) -> String {
        let rate = elapsed > 0 ? Int((Double(rows) / elapsed).rounded()) : 0
        let counts = "\(grouped(rows)) rows  \(grouped(rate)) rows/s"
        guard let fraction, fraction.isFinite else { return counts }
        let done = min(1, max(0, fraction))
        let filled = min(barWidth, Int((done * Double(barWidth)).rounded(.down)))
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "]"
        let percent = Int((done * 100).rounded(.down))
        let percentText = String(repeating: " ", count: max(0, 3 - String(percent).count)) + "\(percent)%"
        let eta: String
        if done >= 1 {
            eta = "ETA 0:00"
        } else if done >= minimumFraction && elapsed >= minimumSeconds {
            eta = "ETA " + duration(elapsed * (1 - done) / done)
        } else {
            eta = "ETA --:--"
        }
        return "\(bar) \(percentText)  \(counts)  \(eta)"
    }

    /// `m:ss`, or `h:mm:ss` from an hour on; seconds rounded up, so the last second shows 0:01.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 360_000 else { return "--:--" }
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        let twoDigits = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(twoDigits(minutes)):\(twoDigits(secs))" : "\(minutes):\(twoDigits(secs))"
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
