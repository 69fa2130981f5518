import Glibc

/// Streaming conversion to UTF-8 with glibc's iconv, chunk by chunk.
///
/// A multibyte sequence split across two chunks is carried over to the next call (iconv reports it
/// as EINVAL); bytes that are invalid in the source encoding become U+FFFD and are counted, so the
/// reader can flag the rows they land in instead of failing the whole file.
final class IconvTranscoder {
    private let descriptor: iconv_t
    /// Bytes of an incomplete sequence at the end of the previous chunk.
    private var carried: [UInt8] = []
    /// Contiguous input: the carried bytes followed by the new chunk.
    private var input: [UInt8] = []
    /// Bytes skipped after an invalid sequence; UTF-16/32 must skip a whole code unit to stay aligned.
    private let unitSize: Int
    /// How many invalid sequences were replaced by U+FFFD so far.
    private(set) var substitutions = 0

    private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]  // U+FFFD in UTF-8

    /// Input bytes converted by one iconv(3) call at most.
    private static let window = 64 * 1024
    /// Where each call writes, before its output is appended: UTF-8 needs at most 3 bytes per
    /// input byte for single-byte encodings, 1.5 for UTF-16. A fixed buffer, so that a step costs
    /// what it converts: sizing fresh output space by the whole rest of the chunk made every
    /// invalid byte cost a memset of megabytes, and a file of random bytes took hours (found by
    /// the import fuzz suite, Tests/LedgerCLITests/ImportFuzzTests.swift).
    private var scratch = [UInt8](repeating: 0, count: window * 3 + 16)

    /// Opens a converter from `encoding` (an iconv name) to UTF-8; nil when iconv does not know it.
    init?(from encoding: String) {
        // iconv_open(3): "On error, it sets errno and returns (iconv_t) -1."
        let opened = iconv_open("UTF-8", encoding)
        guard let opened, opened != iconv_t(bitPattern: -1) else { return nil }
        descriptor = opened
        let upper = encoding.uppercased()
        unitSize = upper.hasPrefix("UTF-32") || upper.hasPrefix("UCS-4") ? 4 : upper.hasPrefix("UTF-16") ? 2 : 1
    }

    deinit {
        iconv_close(descriptor)
    }

    /// Converts `chunk` and appends the UTF-8 result to `output`. With `isLast`, an incomplete
    /// sequence at the end is replaced rather than carried, and the converter's shift state is flushed.
    func convert(_ chunk: UnsafeBufferPointer<UInt8>, isLast: Bool, appendingTo output: inout [UInt8]) {
        input.removeAll(keepingCapacity: true)
        input.append(contentsOf: carried)
        input.append(contentsOf: chunk)
        carried.removeAll(keepingCapacity: true)
        var consumed = 0
        while consumed < input.count {
            let (read, outcome) = step(from: consumed, into: &output)
            consumed += read
            switch outcome {
            case .done, .outputFull, .windowEnded:
                continue
            case .incomplete:
                if isLast {
                    output.append(contentsOf: Self.replacement)
                    substitutions += 1
                } else {
                    carried.append(contentsOf: input[consumed...])
                }
                consumed = input.count
            case .invalid:
                output.append(contentsOf: Self.replacement)
                substitutions += 1
                consumed = min(input.count, consumed + unitSize)
            }
        }
        if isLast { flush(into: &output) }
    }

    private enum StepOutcome { case done, outputFull, windowEnded, incomplete, invalid }

    /// One iconv(3) call over at most `window` bytes from `offset`, its output appended to `output`.
    private func step(from offset: Int, into output: inout [UInt8]) -> (Int, StepOutcome) {
        let remaining = input.count - offset
        let window = min(remaining, Self.window)
        var inLeft = window
        var outLeft = scratch.count
        let (result, failure) = input.withUnsafeMutableBytes { inRaw in
            scratch.withUnsafeMutableBytes { outRaw -> (Int, Int32) in
                var inPointer = inRaw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) + offset }
                var outPointer = outRaw.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) }
                let result = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                return (result, errno)
            }
        }
        output.append(contentsOf: scratch[..<(scratch.count - outLeft)])
        let read = window - inLeft
        // iconv(3): returns (size_t) -1 with errno E2BIG (output full), EILSEQ (invalid multibyte
        // sequence; *inbuf left pointing at it) or EINVAL (incomplete multibyte sequence at the end).
        guard result == -1 else { return (read, .done) }
        switch failure {
        case E2BIG: return (read, .outputFull)
        // A sequence cut by the window's end, not the chunk's: the next step starts with it.
        case EINVAL where window < remaining && read > 0: return (read, .windowEnded)
        case EINVAL: return (read, .incomplete)
        default: return (read, .invalid)
        }
    }

    /// Writes any pending shift sequence (stateful encodings) and resets the converter.
    private func flush(into output: inout [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: 32)
        var outLeft = buffer.count
        buffer.withUnsafeMutableBytes { raw in
            var outPointer = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
            _ = iconv(descriptor, nil, nil, &outPointer, &outLeft)
        }
        output.append(contentsOf: buffer.prefix(buffer.count - outLeft))
    }
}
