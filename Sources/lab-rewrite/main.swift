import LabKit

LabCommands.rewriteMain(Array(CommandLine.arguments.dropFirst()))
