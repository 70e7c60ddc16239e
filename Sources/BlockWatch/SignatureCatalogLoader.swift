import Identification

#if canImport(Glibc)
import Glibc
#endif

/// The catalog a run uses: the bundled signature files, then the user's own on top; and the
/// DOMESTIC prefixes the user declared.
enum SignatureCatalogLoader {
    /// Each argument is a file of prefixes when such a file exists, otherwise the prefixes themselves.
    static func domestic(_ arguments: [String]) throws(BlockWatchError) -> PrefixList? {
        guard !arguments.isEmpty else { return nil }
        var prefixes: [String] = []
        do {
            for argument in arguments {
                let list = access(argument, F_OK) == 0 ? try PrefixList.load(path: argument) : try PrefixList.parse(argument)
                prefixes += list.prefixes
            }
            return try PrefixList.parse(prefixes.joined(separator: ","))
        } catch {
            throw .signatures(error)
        }
    }

    static func load(extraFiles: [String]) throws(BlockWatchError) -> SignatureCatalog {
        do {
            var catalog = try SignatureCatalog.bundled()
            if !extraFiles.isEmpty { catalog.merge(try SignatureCatalog.load(files: extraFiles)) }
            return catalog
        } catch {
            throw .signatures(error)
        }
    }
}
