#if canImport(Glibc)
import Glibc
#endif
import Reports

/// How the command line reports a failure: one line on standard error, exit status 1.
public enum Diagnostics {
    public static func fail(_ error: BlockWatchError) -> Never {
        let errors = TextOutput.standardError()
        errors.write("blockwatch: \(error)\n")
        errors.flush()
        if case .usage = error { exit(64) }   // EX_USAGE, as for every other usage error
        exit(1)
    }
}
