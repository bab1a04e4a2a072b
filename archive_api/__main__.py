from archive_api.cli import main

main()
