import Foundation

/// The push services web-push endpoints live on, told apart by the endpoint's host.
public enum PushService {
    /// The service's label and the flags its host earns, for an endpoint URL's host.
    ///
    /// - `fcm.googleapis.com`: Chrome, Edge, Opera (`fcm`);
    /// - `android.googleapis.com`: the legacy GCM endpoint (`fcm`, flagged `legacy-endpoint`);
    /// - `updates.push.services.mozilla.com`: Firefox (`mozilla`);
    /// - `*.notify.windows.com`: Windows (WNS) (`windows`);
    /// - `web.push.apple.com`: Safari 16+ (`apple`);
    /// - anything else: `unknown`, flagged `unknown-push-service`.
    public static func classify(host: String) -> (service: String, flags: [String]) {
        let host = host.lowercased()
        switch host {
        case "fcm.googleapis.com": return ("fcm", [])
        case "android.googleapis.com": return ("fcm", ["legacy-endpoint"])
        case "updates.push.services.mozilla.com": return ("mozilla", [])
        case "web.push.apple.com": return ("apple", [])
        default:
            if host.hasSuffix(".notify.windows.com") && host.count > ".notify.windows.com".count { return ("windows", []) }
            return ("unknown", ["unknown-push-service"])
        }
    }
}
