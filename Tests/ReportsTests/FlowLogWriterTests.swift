import Testing
@testable import Reports

@Suite("JSON strings in flow logs and reports")
struct FlowLogWriterTests {
    @Test("Quotes, backslashes and control characters are escaped; other text passes through", arguments: [
        ("plain", "\"plain\""),
        ("a \"b\" c", "\"a \\\"b\\\" c\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("line\nfeed\ttab\rreturn", "\"line\\nfeed\\ttab\\rreturn\""),
        ("\u{01}\u{1f}", "\"\\u0001\\u001f\""),
        ("Ωμέγα 🚫", "\"Ωμέγα 🚫\""),
    ])
    func escapes(input: String, expected: String) {
        #expect(FlowLogWriter.jsonString(input) == expected)
    }
}
