// The façade re-exports the types a caller of the library needs to build requests and read results.
@_exported import struct Reports.CaptureSummary
@_exported import enum Reports.FlowLogFormat
@_exported import struct Flows.FlowTableConfiguration
@_exported import struct Reports.ReportTimeZone
