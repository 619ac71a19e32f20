import Glibc

/// `$TMPDIR` with a trailing slash, else `/tmp/`: what Foundation's `NSTemporaryDirectory()` returns
/// on Linux, read without running Foundation.
var temporaryDirectory: String {
    guard let value = getenv("TMPDIR") else { return "/tmp/" }
    let path = String(cString: value)
    return path.hasSuffix("/") ? path : path + "/"
}
