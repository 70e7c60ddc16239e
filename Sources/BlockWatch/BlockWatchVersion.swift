/// The version `blockwatch --version` prints.
public enum BlockWatchVersion {
    public static let current = "0.1.0"
}
