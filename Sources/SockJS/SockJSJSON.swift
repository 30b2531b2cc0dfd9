/// The JSON that SockJS needs: string escaping for frames sent to clients, and decoding of
/// the arrays of strings that clients send.
///
/// No general JSON: SockJS payloads are arrays of strings, and exact control over escaping
/// matters more than generality (some browsers and proxies mangle the characters SockJS escapes).
public enum SockJSJSON {}
