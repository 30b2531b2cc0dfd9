print("lobby-server: not built yet")
