import DeviceCore

/// The fleet simulator: runs DeviceCore devices on real sockets against a real backend.
public enum SimFleet {
    public static let version = "0.1.0"
}
