import CCurl

/// libcurl's handles, made in one place. libcurl is opened at the first one, not at start
/// (`CCurl/loader.c`): a fleet that never downloads, posts or visits a portal never maps it. Without
/// it no transfer can run, so the run stops here, saying why.
enum CurlLibrary {
    /// A new easy handle.
    static func easyHandle() -> UnsafeMutableRawPointer {
        guard let easy = simfleet_curl_easy_init() else { unavailable("curl_easy_init") }
        return easy
    }

    /// A new multi handle.
    static func multiHandle() -> UnsafeMutableRawPointer {
        guard let multi = simfleet_curl_multi_init() else { unavailable("curl_multi_init") }
        return multi
    }

    /// libcurl could not be loaded (the loader's reason), or it could not make a handle.
    private static func unavailable(_ call: String) -> Never {
        if let failure = simfleet_curl_load_failure() { fatalError(String(cString: failure)) }
        fatalError(call + " failed: out of memory")
    }
}
