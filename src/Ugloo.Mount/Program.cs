Console.Error.WriteLine("ugloo: nothing here yet.");
return 2;
