#if canImport(Glibc)
import Glibc
#endif
import Identification
import Reports

/// `blockwatch services`: the signature catalog in use, with sources, ages and stale warnings.
public enum ServicesCommand {
    public struct Request: Sendable {
        public var signatureFiles: [String] = []
        public var showEntries = false
        public var json = false
        /// Address lists older than this many days get a warning.
        public var staleAfterDays = 180
        public init() {}
    }

    public static func run(_ request: Request) throws(BlockWatchError) {
        let catalog = try SignatureCatalogLoader.load(extraFiles: request.signatureFiles)
        let listing = CatalogListing(catalog: catalog, today: today(), staleAfterDays: request.staleAfterDays)
        let output = TextOutput.standardOutput()
        output.write(request.json ? listing.json() : listing.text(entries: request.showEntries))
        output.flush()
    }

    /// Today's date (UTC), the one place the wall clock matters: the age of the signatures.
    static func today() -> SignatureDate {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        return SignatureDate(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))!
    }
}
