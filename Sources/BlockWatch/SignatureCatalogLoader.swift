import Identification

/// The catalog a run uses: the bundled signature files, then the user's own on top.
enum SignatureCatalogLoader {
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
