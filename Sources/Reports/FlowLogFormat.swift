/// How `blockwatch flows` writes its records.
public enum FlowLogFormat: String, CaseIterable, Sendable {
    /// Aligned columns for people.
    case table
    /// One JSON object per line, Zeek's field names (unset fields are omitted, as Zeek's JSON does).
    case jsonl
    /// Zeek's tab-separated conn.log with `#fields`/`#types` headers, so Zeek tooling reads it.
    case zeek
    /// Comma-separated, with a header row of Zeek's field names.
    case csv
}
