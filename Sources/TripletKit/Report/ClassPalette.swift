/// Class colours: Matplotlib's "tab10" for the first ten labels, then hues a golden angle apart.
enum ClassPalette {
    static let tab10 = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    /// The colour of the class at `position` in the sorted list of classes.
    static func color(_ position: Int) -> String {
        if (0..<tab10.count).contains(position) { return tab10[position] }
        let hue = (Double(position) * 137.508).truncatingRemainder(dividingBy: 360)
        return "hsl(\(Int(hue)), 65%, 45%)"
    }
}
