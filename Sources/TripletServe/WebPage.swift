/// The web page served at `/` and its script at `/app.js`: plain HTML and JavaScript, no build step and
/// nothing fetched from elsewhere.
enum WebPage {
    static let html = "<!doctype html><title>TripletKit</title><p>TripletKit server</p>"
    static let script = ""
}
