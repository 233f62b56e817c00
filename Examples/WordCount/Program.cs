System.Console.WriteLine("under construction");
