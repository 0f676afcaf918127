from planctl._entry import main

main()
