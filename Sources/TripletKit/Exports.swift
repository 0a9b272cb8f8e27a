// TripletKit: the umbrella module. `import TripletKit` gives every part of the toolkit.
@_exported import TripletCore
@_exported import TripletData
@_exported import TripletEvaluation
@_exported import TripletLinear
@_exported import TripletLosses
@_exported import TripletNetworks
