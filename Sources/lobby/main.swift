print("lobby: not built yet")
