import LobbyBench

await LobbyBenchCommand.start()
