#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Giving up root once the capture is open, as tcpdump's `-Z` does: an open capture socket keeps
/// working, and a bug in the decoders of untrusted packets then runs as an unprivileged user.
public enum PrivilegeDrop {
    /// Whether the process runs as root (real or effective).
    public static var isRoot: Bool { geteuid() == 0 || getuid() == 0 }

    /// The user to become: `requested` if given, else `nobody` when root, else nobody to become
    /// (nil). `root` means stay root.
    public static func target(requested: String?) -> String? {
        if let requested { return requested == "root" ? nil : requested }
        return isRoot ? "nobody" : nil
    }

    /// The uid and gid of `user`, or nil if there is no such user.
    public static func lookup(_ user: String) -> (uid: uid_t, gid: gid_t)? {
        guard let entry = getpwnam(user) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Becomes `user`: supplementary groups cleared, then gid, then uid (this order: after setuid
    /// the others are no longer allowed). Throws a one-line reason; checks the drop cannot be undone.
    public static func drop(to user: String, interface: String) throws(CaptureError) {
        guard let (uid, gid) = lookup(user) else {
            throw .liveCaptureFailed(interface: interface, detail: "cannot drop privileges: no such user '\(user)' (-Z)")
        }
        if setgroups(0, nil) != 0 && geteuid() == 0 {
            throw .liveCaptureFailed(interface: interface, detail: "cannot drop privileges to '\(user)': setgroups: \(systemErrorText(errno))")
        }
        if setgid(gid) != 0 {
            throw .liveCaptureFailed(interface: interface, detail: "cannot drop privileges to '\(user)': setgid: \(systemErrorText(errno))")
        }
        if setuid(uid) != 0 {
            throw .liveCaptureFailed(interface: interface, detail: "cannot drop privileges to '\(user)': setuid: \(systemErrorText(errno))")
        }
        // Safety check: a dropped root must not get it back.
        if uid != 0 && setuid(0) == 0 {
            throw .liveCaptureFailed(interface: interface, detail: "dropping privileges to '\(user)' did not stick")
        }
    }
}
