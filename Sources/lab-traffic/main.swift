import LabKit

LabCommands.trafficMain(Array(CommandLine.arguments.dropFirst()))
