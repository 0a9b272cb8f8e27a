/// Which column of a CSV file holds the class labels.
public enum CSVLabelColumn: Sendable, Equatable {
    /// The last column (the default).
    case last
    /// The column at this 0-based index.
    case index(Int)
    /// The column with this name in the header row (which must then be present).
    case name(String)
}

/// Whether a CSV file's first row names the columns.
public enum CSVHeader: Sendable, Equatable {
    /// A header when some feature field of the first row is not a number.
    case automatic
    /// The first row is a header.
    case present
    /// Every row is data.
    case absent
}
