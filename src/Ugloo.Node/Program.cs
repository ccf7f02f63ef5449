Console.Error.WriteLine("ugloo-node: the node service is not built yet (issue 3).");
return 2;
